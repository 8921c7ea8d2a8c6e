/**
 * The errors a new user meets first when `eddy run` loads a job file: a job in a CommonJS project
 * (npm's default `"type": "commonjs"`) that uses `import` and top-level `await` names the fix,
 * and a syntax error prints the place and the line — not the stack of tsx, esbuild or Node.
 * (test/package/ checks the same through the installed package, where plain JavaScript job files
 * load without tsx.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repositoryRoot } from '../support/scratch-project.ts';

const JOB = `import { StreamEnvironment } from 'eddy';
const env = StreamEnvironment.create();
env.fromCollection([1, 2, 3]).map((n) => n * 2).print();
await env.execute();
`;
const BROKEN = JOB.replace('n * 2)', 'n * 2))');

/** A user's project whose `eddy` is this checkout. */
function project(type: 'module' | 'commonjs' | undefined, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-job-errors-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repositoryRoot, join(dir, 'node_modules', 'eddy'), 'dir');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'user-project', version: '1.0.0', ...(type && { type }) }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function eddyRun(cwd: string, file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repositoryRoot, 'bin/eddy.js'), 'run', file], {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('job file errors', { concurrency: true }, () => {
  for (const [type, why] of [
    ['commonjs', 'package.json has "type": "commonjs"'],
    [undefined, 'package.json has no "type" field'],
  ] as const) {
    it(`names "type": "module" and .mts for a TypeScript job when ${why}`, async () => {
      const dir = project(type, { 'job.ts': JOB });
      const r = await eddyRun(dir, 'job.ts');
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        `eddy: error: job.ts uses import or top-level await, but Node.js loads it as CommonJS (${why})\n` +
          '  hint: add "type": "module" to package.json (npm pkg set type=module), or rename job.ts ' +
          'to job.mts; Eddy job files are ES modules\n',
      );
    });
  }

  it('names "type": "module" and .mjs for a JavaScript job in a CommonJS project', async () => {
    const dir = project('commonjs', { 'job.js': JOB });
    const r = await eddyRun(dir, 'job.js');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /eddy: error: job\.js uses import or top-level await, but Node\.js loads it as CommonJS .*\n {2}hint: add "type": "module" to package\.json \(npm pkg set type=module\), or rename job\.js to job\.mjs/,
    );
    assert.doesNotMatch(r.stderr, /caused by|\n\s+at /);
  });

  it('runs the same job once the project is an ES module project', async () => {
    const dir = project('module', { 'job.ts': JOB });
    const r = await eddyRun(dir, 'job.ts');
    assert.equal(r.code, 0, r.stderr);
  });

  for (const file of ['broken.ts', 'broken.mjs']) {
    it(`prints the place and the line of a syntax error in ${file}, without a stack`, async () => {
      const dir = project('module', { [file]: BROKEN });
      const r = await eddyRun(dir, file);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split('\n');
      assert.match(lines[0] ?? '', new RegExp(`^eddy: error: syntax error at ${file}:3:48`));
      assert.equal(lines[1], '  3 | env.fromCollection([1, 2, 3]).map((n) => n * 2)).print();');
      assert.equal(lines[2], `    | ${' '.repeat(47)}^`);
      assert.deepEqual(lines.slice(3), ['']);
    });
  }
});
