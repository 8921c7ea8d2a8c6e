import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../../src/artifact/sha256-hex.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/eddy.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `eddy <args>` in `cwd`, with its own temporary directory `tmp`. */
function eddy(args: readonly string[], cwd: string, tmp = cwd): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Artifacts extracted into `tmp` (tsx keeps its cache there too). */
function extracted(tmp: string): string[] {
  return readdirSync(tmp).filter((f) => f.startsWith('eddy-app-'));
}

describe('eddy package / inspect / run app.eddy', { concurrency: true }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'eddy-package-test-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const dir = (name: string) => {
    const d = join(scratch, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  it('packages the bot-tagging example into one small file that inspect describes and run runs', async () => {
    const work = dir('bot-tagging');
    const app = join(work, 'bots.eddy');
    const packaged = await eddy(
      ['package', join(root, 'examples/bot-tagging.ts'), '-o', app],
      work,
    );
    assert.equal(packaged.code, 0, packaged.stderr);
    assert.match(
      packaged.stderr,
      /packaged .*bot-tagging\.ts as bots\.eddy \(\d+\.\d KB, 4 members\)/,
    );
    const size = statSync(app).size;
    assert.ok(size < 1024 * 1024, `artifact is ${size} bytes`);

    const inspected = await eddy(['inspect', app], work);
    assert.equal(inspected.code, 0, inspected.stderr);
    assert.match(inspected.stdout, /name {5}bot-tagging/);
    assert.match(inspected.stdout, /entry {4}job\.mjs/);
    assert.match(inspected.stdout, /job\.mjs\s+\d+\.\d KB {2}sha256 [0-9a-f]{64}/);
    assert.match(
      inspected.stdout,
      /plan {5}fingerprint [0-9a-f]{16}, 8 operators, sources user-events/,
    );
    assert.match(inspected.stdout, /\[2\] flat-map "bot-tag-enrichment" p=1 keyed/);
    const json = JSON.parse((await eddy(['inspect', app, '--json'], work)).stdout) as {
      sha256: string;
      manifest: { name: string; eddyVersion: string; members: { path: string }[] };
      plans: { jobName: string }[];
    };
    assert.equal(json.sha256, sha256Hex(readFileSync(app)));
    assert.equal(json.manifest.eddyVersion, '0.1.0');
    assert.deepEqual(
      json.manifest.members.map((m) => m.path),
      ['job.mjs', 'job.mjs.map', 'plan.json'],
    );
    assert.equal(json.plans[0]?.jobName, 'bot-tagging');

    // Run from a directory with nothing but the artifact, in parallel worker threads.
    const elsewhere = dir('bot-tagging-run');
    const tmp = dir('bot-tagging-tmp');
    const ran = await eddy(
      ['run', app, '-p', '2', '--prop', 'source.events=3000', '--prop', 'source.rate=0'],
      elsewhere,
      tmp,
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /job "bot-tagging" FINISHED/);
    assert.match(ran.stderr, /bot-tag-enrichment\s+in\s+3000\s+out\s+3000/);
    // The extracted job is gone when the process has exited.
    assert.deepEqual(extracted(tmp), []);
  });

  it('bundles npm dependencies (CommonJS too): the artifact runs after the project is gone', async () => {
    const project = dir('project');
    const dep = join(project, 'node_modules/shout');
    mkdirSync(dep, { recursive: true });
    writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: 'shout', main: 'index.js' }));
    // CommonJS requiring a Node built-in: needs the `require` the bundle's banner defines.
    writeFileSync(
      join(dep, 'index.js'),
      "const { basename } = require('node:path');\nmodule.exports = (s) => basename('/x/' + s).toUpperCase() + '!';\n",
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', type: 'module' }));
    symlinkSync(root, join(project, 'node_modules/eddy')); // as npm links an installed Eddy
    writeFileSync(
      join(project, 'job.ts'),
      `import { StreamEnvironment } from 'eddy';
import shout from 'shout';
const env = StreamEnvironment.create({ jobName: 'shouting' });
env.fromCollection(['ana', 'bo']).map((s: string) => shout(s)).print();
await env.execute();
`,
    );
    const app = join(scratch, 'shouting.eddy');
    const packaged = await eddy(['package', 'job.ts', '-o', app], project);
    assert.equal(packaged.code, 0, packaged.stderr);
    rmSync(project, { recursive: true });
    const ran = await eddy(['run', app], dir('shouting-run'));
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /ANA!\n/);
    assert.match(ran.stdout, /BO!\n/);
  });

  it('refuses a damaged artifact with a clear error and leaves nothing behind', async () => {
    const work = dir('damaged');
    const tmp = dir('damaged-tmp');
    const app = join(work, 'app.eddy');
    assert.equal(
      (await eddy(['package', join(root, 'examples/bot-tagging.ts'), '-o', app], work)).code,
      0,
    );
    const bytes = readFileSync(app);
    writeFileSync(join(work, 'truncated.eddy'), bytes.subarray(0, bytes.length - 30));
    for (const command of ['run', 'inspect']) {
      const r = await eddy([command, 'truncated.eddy'], work, tmp);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /eddy: error: invalid artifact: the file is truncated/);
      assert.match(r.stderr, /hint: package the job again/);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/); // no stack trace
    }
    // A flipped byte inside the bundled job (past its local header and name).
    const flipped = Buffer.from(bytes);
    const at = flipped.indexOf('job.mjs') + 'job.mjs'.length + 20;
    flipped[at] = flipped[at]! ^ 1;
    writeFileSync(join(work, 'flipped.eddy'), flipped);
    const r = await eddy(['run', 'flipped.eddy'], work, tmp);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid artifact: member "job\.mjs"/);
    assert.deepEqual(extracted(tmp), []);
  });

  it('refuses to package a job that imports Eddy by path instead of from "eddy"', async () => {
    const work = dir('by-path');
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(work, 'job.ts'),
      `import { StreamEnvironment } from ${JSON.stringify(join(root, 'src/index.ts'))};
const env = StreamEnvironment.create();
env.fromCollection([1]).print();
await env.execute();
`,
    );
    const r = await eddy(['package', 'job.ts'], work, dir('by-path-tmp'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /job\.ts imports Eddy's own files by path/);
    assert.match(r.stderr, /hint: import from 'eddy'/);
    assert.deepEqual(readdirSync(work).sort(), ['job.ts', 'package.json']);
  });
});
