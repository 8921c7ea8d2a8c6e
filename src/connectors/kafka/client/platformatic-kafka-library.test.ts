/**
 * A missing `@platformatic/kafka` is told apart from a broken install: only the package itself
 * missing becomes the `MISSING_DEPENDENCY` error naming the install command. (The packed-tarball
 * test, test/package/, imports `eddy/kafka` in a project without the package.)
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { EddyError } from '../../../errors/eddy-error.ts';
import { isMissingPackage, missingKafkaClientError } from './platformatic-kafka-library.ts';

async function importError(specifier: string): Promise<unknown> {
  try {
    await import(specifier);
  } catch (error) {
    return error;
  }
  assert.fail(`${specifier} loaded`);
}

test('a package that is not installed is missing', async () => {
  const error = await importError('eddy-no-such-package');
  assert.equal(isMissingPackage(error, 'eddy-no-such-package'), true);
  assert.equal(isMissingPackage(error, '@platformatic/kafka'), false);
});

test('a package whose own dependency is missing is not reported as missing itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-missing-dep-'));
  try {
    const pkg = join(dir, 'node_modules', 'broken-client');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'broken-client', type: 'module', exports: './index.js' }),
    );
    writeFileSync(join(pkg, 'index.js'), "import 'eddy-no-such-dependency';\n");
    writeFileSync(join(dir, 'entry.mjs'), "export default import('broken-client');\n");
    const entry = (await import(pathToFileURL(join(dir, 'entry.mjs')).href)) as {
      default: Promise<unknown>;
    };
    const error = await entry.default.then(
      () => assert.fail('broken-client loaded'),
      (e: unknown) => e,
    );
    assert.equal(isMissingPackage(error, 'broken-client'), false);
    assert.equal(isMissingPackage(error, 'eddy-no-such-dependency'), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the error names the package and the command that installs it', () => {
  const error = missingKafkaClientError(new Error('not found'));
  assert.ok(error instanceof EddyError);
  assert.equal(error.code, 'MISSING_DEPENDENCY');
  assert.equal(error.domain, 'user');
  assert.match(error.message, /eddy\/kafka needs .*@platformatic\/kafka/);
  assert.match(error.message, /npm install @platformatic\/kafka@\^1\.35\.0/);
  assert.match(error.message, /22\.19/);
});
