import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineCapacityUnits } from '../../src/server/machine-capacity.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `eddy <args>`; `onStdout` may act on output while it runs (e.g. send a signal). */
function eddy(
  args: readonly string[],
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/eddy.js', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('eddy CLI', { concurrency: true }, () => {
  it('lists its commands with --help', async () => {
    const r = await eddy(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: eddy <command>/);
    assert.match(r.stdout, /run\s+run a job file/);
    assert.match(r.stdout, /plan\s+print the plan/);
    // Every command and its summary stay apart, in one column however long the names get.
    assert.match(r.stdout, /\n {2}checkpoints {2}list a job's checkpoint history/);
    const summaryColumns = r.stdout
      .split('\n')
      .filter((l) => /^ {2}[a-z]+ {2,}\S/.test(l))
      .map((l) => /^ {2}[a-z]+ +/.exec(l)?.[0].length);
    assert.equal(new Set(summaryColumns).size, 1);
    const run = await eddy(['run', '--help']);
    assert.match(run.stdout, /--metrics-port <port>/);
    assert.match(run.stdout, /--prop <group\.key=value>/);
  });

  it('names the default of every server flag; --capacity-units as the server computes it', async () => {
    const r = await eddy(['server', '--help']);
    assert.equal(r.code, 0, r.stderr);
    const flags = r.stdout.split('\n').filter((l) => /^ {2}(-\w, | {4})--/.test(l));
    assert.ok(flags.length >= 6, r.stdout);
    for (const line of flags)
      if (!/--help/.test(line)) assert.match(line, /\(default[ :]/, `no default named: ${line}`);
    assert.match(r.stdout, /--data-dir <dir> .*\(default \.\/\.eddy\)/);
    assert.match(r.stdout, /--unit-memory-mb <n> .*\(default 4096\)/);
    const capacity = /--capacity-units <n> +(.*)/.exec(r.stdout)?.[1] ?? '';
    assert.match(
      capacity,
      /default: min\(cores, total memory \/ --unit-memory-mb\), rounded down to 1\/8/,
    );
    const here = Number(/; here ([\d.]+):/.exec(capacity)?.[1]);
    assert.equal(here, machineCapacityUnits(4096), capacity);
    assert.match(capacity, new RegExp(`${availableParallelism()} cores`));
  });

  it('suggests the command and the flag a typo meant', async () => {
    const cmd = await eddy(['rnu']);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "rnu"\n {2}hint: did you mean "eddy run"\?/);
    const flag = await eddy(['run', 'examples/merge-streams.ts', '--paralelism', '2']);
    assert.equal(flag.code, 2);
    assert.match(
      flag.stderr,
      /unknown flag --paralelism for "eddy run"\n {2}hint: did you mean --parallelism\?/,
    );
    const value = await eddy(['run', 'examples/merge-streams.ts', '--parallelism', 'two']);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /--parallelism takes a number, got "two"/);
  });

  it('says which job files exist when the file is missing', async () => {
    const r = await eddy(['run', 'examples/no-such-job.ts']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /job file not found: examples\/no-such-job\.ts\n {2}hint: job files in examples: .*examples\/bot-tagging\.ts/,
    );
  });

  it('reports a job that throws while being built, with the stack into the job file', async () => {
    const r = await eddy(['run', 'test/cli/fixtures/throws-while-building.ts']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /the job file threw while building the job: threshold property is not a number/,
    );
    assert.match(
      r.stderr,
      /caused by: Error: threshold property is not a number\n\s+at .*throws-while-building\.ts:5/,
    );
    const ok = await eddy([
      'run',
      'test/cli/fixtures/throws-while-building.ts',
      '--prop',
      'threshold=3',
      '-q',
    ]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, '1\n');
  });

  it('fails a file that builds no job, saying how to write one', async () => {
    const r = await eddy(['run', 'test/cli/fixtures/no-job.ts']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /built no job\n {2}hint: call env\.execute\(\)/);
  });

  it('runs a default-exported job builder with the CLI settings', async () => {
    const r = await eddy([
      'run',
      'test/cli/fixtures/default-export.ts',
      '--prop',
      'greeting=hi',
      '-p',
      '2',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\d+> /, ''))
        .sort(),
      ['hi ana (p=2)', 'hi bo (p=2)'],
    );
  });

  it('prints the plan as a graph and as JSON without running the job', async () => {
    const r = await eddy(['plan', 'examples/merge-streams.ts']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^job "merge-streams" \(parallelism 1, maxParallelism 128\)/);
    assert.match(
      r.stdout,
      /keyed-co-process "match-payments" p=1 keyed uid=match-payments\s+<- \[\d+\] hash \(input 1\), \[\d+\] hash \(input 2\)/,
    );
    assert.doesNotMatch(r.stdout, /paid>/, 'the job must not run');
    const json = r.stdout.slice(r.stdout.indexOf('\n{'));
    const plan = JSON.parse(json) as { jobName: string; nodes: { kind: string }[] };
    assert.equal(plan.jobName, 'merge-streams');
    assert.ok(plan.nodes.some((n) => n.kind === 'keyed-co-process'));
  });

  it('serves Prometheus metrics while a job runs', async () => {
    // The job runs until it is stopped, after a scrape showed its metrics: a loaded machine
    // makes this slower, never wrong (a 6,000-record job could end before the first scrape).
    let scraped = '';
    const port = 19000 + Math.floor(Math.random() * 1000);
    const scrape = async (child: ReturnType<typeof spawn>): Promise<void> => {
      while (scraped === '' && child.exitCode === null) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`);
          const text = await res.text();
          if (text.includes('eddy_bots_detected_total')) scraped = text;
        } catch {
          // Not listening yet.
        }
        if (scraped === '') await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
    };
    let scraping: Promise<void> | undefined;
    const r = await eddy(
      [
        'run',
        'examples/bot-tagging.ts',
        '--metrics-port',
        String(port),
        '--prop',
        'source.events=0',
        '--prop',
        'source.rate=3000',
      ],
      (_, child) => {
        scraping ??= scrape(child);
      },
    );
    await scraping;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`metrics at http://127\\.0\\.0\\.1:${port}/metrics`));
    assert.match(
      scraped,
      /eddy_records_in_total\{job="bot-tagging",operator="bot-tag-enrichment",operator_id="\d+",subtask="0"\} \d+/,
    );
    assert.match(
      scraped,
      /eddy_bots_detected_total\{job="bot-tagging",operator="bot-tag-enrichment"/,
    );
    assert.match(scraped, /^process_cpu_seconds_total/m);
  });

  it('takes a savepoint on SIGINT and resumes from it with the state it had', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-savepoint-'));
    try {
      let sent = false;
      const first = await eddy(
        [
          'run',
          'examples/bot-tagging.ts',
          '--prop',
          'source.events=0',
          '--prop',
          'source.rate=20000',
          '--savepoint-on-stop',
          dir,
        ],
        (out, child) => {
          if (!sent && out.includes('progress> 2000 bot events')) {
            sent = true;
            child.kill('SIGINT');
          }
        },
      );
      assert.equal(first.code, 0, first.stderr);
      const path = /savepoint written to (\S+)/.exec(first.stderr)?.[1];
      assert.ok(path !== undefined, first.stderr);
      assert.match(first.stdout, /bot detected> bot-0/);
      const second = await eddy([
        'run',
        'examples/bot-tagging.ts',
        '--prop',
        'source.events=20000',
        '--prop',
        'source.rate=0',
        '--from-savepoint',
        path,
      ]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /restoring from /);
      // The bots are already tagged in the restored state, and the counts continue from it.
      assert.doesNotMatch(second.stdout, /bot detected/);
      assert.doesNotMatch(second.stdout, /progress> 2000 bot events/);
      assert.match(second.stdout, /progress> 12000 human events/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the checkpoint history, prints the saved keyed state, flags a corrupt checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-checkpoints-'));
    try {
      const run = await eddy([
        'run',
        'examples/bot-tagging.ts',
        '--prop',
        'source.rate=10000',
        '--checkpoint-interval',
        '200ms',
        '--checkpoint-dir',
        dir,
        '-q',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const ok = await eddy(['checkpoints', dir]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(
        ok.stdout,
        /^COMPLETED {2}checkpoint \d+ of "bot-tagging" at \d{4}-\d\d-\d\dT[^,]+, \d+ ms, [\d.]+ (B|KiB|MiB) {2}\S+chk-\d+$/m,
      );
      assert.match(ok.stdout, /bot-tag-enrichment \(uid bot-tag-enrichment\) p=1/);
      // The keyed state inside the newest checkpoint, as eddy state reads it.
      const state = await eddy(['state', dir]);
      assert.equal(state.code, 0, state.stderr);
      assert.match(
        state.stdout,
        /bot-tag-enrichment \(uid bot-tag-enrichment\) p=1\n {4}recent-event-times: \d+ entries\n {4}is-bot: 2 entries/,
      );
      const bots = await eddy([
        'state',
        dir,
        '--operator',
        'bot-tag-enrichment',
        '--state',
        'is-bot',
        '--json',
      ]);
      assert.equal(bots.code, 0, bots.stderr);
      const entries = bots.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string; value: unknown; state: string });
      assert.deepEqual(entries.map((e) => `${e.state} ${e.key}=${String(e.value)}`).sort(), [
        'is-bot bot-0=true',
        'is-bot bot-1=true',
      ]);
      const unknown = await eddy(['state', dir, '--operator', 'nope']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /hint: operators with keyed state: bot-tag-enrichment/);
      const chk = (await readdir(dir)).find((d) => d.startsWith('chk-')) as string;
      const stateFile = (await readdir(join(dir, chk))).find((f) =>
        f.startsWith('state-'),
      ) as string;
      await writeFile(join(dir, chk, stateFile), 'garbage');
      const bad = await eddy(['checkpoints', dir]);
      assert.match(
        bad.stdout,
        /^INVALID {4}\S+chk-\d+: state file state-\S+ (has \d+ bytes, expected \d+|checksum mismatch)$/m,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops an unbounded job gracefully on SIGINT', async () => {
    let sent = false;
    const r = await eddy(
      [
        'run',
        'examples/bot-tagging.ts',
        '--prop',
        'source.events=0',
        '--prop',
        'source.rate=20000',
      ],
      (out, child) => {
        if (!sent && out.includes('progress> 4000')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SIGINT received, stopping 1 job\(s\) gracefully/);
    assert.match(r.stderr, /job "bot-tagging" CANCELED/);
  });
});
