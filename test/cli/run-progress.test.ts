/**
 * `eddy run` shows a long bounded job's progress: on a terminal one line rewritten in place
 * (records, rate, elapsed, watermark) that never mixes with the job's printed records; with
 * `--json`, progress and the final summary as JSON lines; piped, nothing but the summary.
 * The bot-tagging example emits 2,000 events a second, so 4,000 events take two seconds.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { readSources } from '../../src/cli/run-progress.ts';
import type { MetricSample } from '../../src/core/metric-sample.ts';
import { repositoryRoot } from '../support/scratch-project.ts';

const JOB = ['run', 'examples/bot-tagging.ts', '--prop', 'source.events=4000'];

function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** ESC [ K: erase the line (a regular expression source). */
const CLEAR = '\\x1b\\[K';
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('eddy run progress', { concurrency: true }, () => {
  it('--json prints progress every second and the summary as JSON lines on stderr', async () => {
    const r = await run(process.execPath, ['bin/eddy.js', ...JOB, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.filter((l) => l['type'] === 'progress');
    assert.ok(progress.length >= 1, r.stderr);
    let previous = 0;
    for (const p of progress) {
      assert.equal(p['job'], 'bot-tagging');
      assert.equal(typeof p['elapsedMs'], 'number');
      assert.equal(typeof p['recordsPerSecond'], 'number');
      assert.ok((p['records'] as number) >= previous && (p['records'] as number) <= 4000);
      previous = p['records'] as number;
    }
    const summary = lines.at(-1) as {
      type: string;
      status: string;
      operators: { name: string; recordsOut: number }[];
    };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.status, 'FINISHED');
    assert.equal(summary.operators.find((o) => o.name === 'user-events')?.recordsOut, 4000);
    assert.doesNotMatch(r.stdout, /"type":"progress"/);
  });

  it('prints no progress line when stderr is not a terminal', async () => {
    const r = await run(process.execPath, ['bin/eddy.js', ...JOB]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, new RegExp(`${CLEAR}|records {2}`));
    assert.match(r.stderr, /^eddy: job "bot-tagging" FINISHED/);
  });

  it(
    'rewrites one progress line on a terminal, cleared before the job prints',
    { skip: !hasScript && 'no script(1) for a pseudo-terminal' },
    async () => {
      const command = [process.execPath, 'bin/eddy.js', ...JOB].map((a) => `'${a}'`).join(' ');
      const r = await run('script', ['-qfec', command, '/dev/null']);
      assert.equal(r.code, 0, r.stdout);
      const text = r.stdout;
      assert.match(
        text,
        new RegExp(`\\r${CLEAR}eddy: bot-tagging {2}[\\d,]+ records {2}[\\d,]+/s {2}0:0\\d`),
      );
      // Every printed record starts on a clean line: the progress line was erased before it.
      const printed = [...text.matchAll(/progress> \d+ human events/g)];
      assert.ok(printed.length >= 1, text);
      for (const m of printed) {
        const before = text.slice(0, m.index);
        assert.ok(
          before === '' || before.endsWith('\n') || before.endsWith('\r\x1b[K'),
          JSON.stringify(text.slice(Math.max(0, (m.index ?? 0) - 60), m.index)),
        );
      }
      assert.match(text, /eddy: job "bot-tagging" FINISHED/);
    },
  );

  it('counts the records of sources only, and their smallest watermark', () => {
    const sample = (name: string, op: string, value: number): MetricSample => ({
      name,
      type: 'counter',
      labels: { operator_id: op, subtask: '0' },
      value,
    });
    const samples = [
      sample('records_out', '1', 10),
      sample('records_out', '1', 5),
      sample('current_output_watermark', '1', 2_000),
      sample('records_out', '2', 7),
      sample('current_output_watermark', '2', 1_000),
      sample('records_in', '3', 15),
      sample('records_out', '3', 15),
      sample('current_output_watermark', '3', 500),
    ];
    assert.deepEqual(readSources(samples), { records: 22, watermark: 1_000 });
    assert.deepEqual(
      readSources([
        sample('records_out', '1', 1),
        sample('current_output_watermark', '1', -Infinity),
      ]),
      {
        records: 1,
        watermark: null,
      },
    );
  });
});
