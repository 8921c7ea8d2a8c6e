import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import * as eddy from '../index.ts';
import * as eddyKafka from '../connectors/kafka/index.ts';
import { EddyError } from '../errors/eddy-error.ts';
import { MANIFEST_PATH } from './artifact-manifest.ts';
import { extractArtifact } from './extract-artifact.ts';
import { RUNTIME_ENTRY_POINTS } from './runtime-entry-points.ts';
import { sha256Hex } from './sha256-hex.ts';
import { writeArtifact } from './write-artifact.ts';
import { writeZip } from './zip-writer.ts';

const JOB = `import { StreamEnvironment } from 'eddy';
import { KafkaSource } from 'eddy/kafka';
import rules from './assets/rules.mjs';
export { StreamEnvironment, KafkaSource, rules };
`;

function artifact(): Uint8Array {
  return writeArtifact({
    name: 'clicks',
    entry: 'job.mjs',
    eddyVersion: '0.1.0',
    members: [
      { path: 'job.mjs', data: Buffer.from(JOB) },
      { path: 'assets/rules.mjs', data: Buffer.from('export default { threshold: 3 };\n') },
    ],
  }).bytes;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'eddy-extract-'));
}

test('extracting writes the members and links the running Eddy: the job imports the same modules', async () => {
  const root = scratch();
  try {
    const dir = join(root, 'app');
    const bytes = artifact();
    const { manifest, entryPath, sha256 } = await extractArtifact(bytes, dir);
    assert.equal(manifest.name, 'clicks');
    assert.equal(sha256, sha256Hex(bytes));
    assert.equal(entryPath, join(dir, 'job.mjs'));
    assert.equal(
      readFileSync(join(dir, 'assets/rules.mjs'), 'utf8'),
      'export default { threshold: 3 };\n',
    );
    assert.equal(existsSync(join(dir, MANIFEST_PATH)), false);
    const job = (await import(pathToFileURL(entryPath).href)) as Record<string, unknown>;
    // One Eddy in the process: the artifact's `eddy` is the runtime's module, not a copy.
    assert.equal(job['StreamEnvironment'], eddy.StreamEnvironment);
    assert.equal(job['KafkaSource'], eddyKafka.KafkaSource);
    assert.deepEqual(job['rules'], { threshold: 3 });
    // The same artifact again into the same directory: reused as it is.
    assert.equal((await extractArtifact(bytes, dir)).entryPath, entryPath);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a bad artifact writes nothing: not even the target directory', async () => {
  const root = scratch();
  try {
    const evil = Buffer.from('export default 1;\n');
    const members = [
      { path: 'job.mjs', data: evil },
      { path: '../escaped.mjs', data: evil },
    ];
    const manifest = {
      format: 1,
      name: 'evil',
      entry: 'job.mjs',
      eddyVersion: '0.1.0',
      createdAt: new Date().toISOString(),
      members: members.map((m) => ({
        path: m.path,
        size: m.data.length,
        sha256: sha256Hex(m.data),
      })),
    };
    const bytes = writeZip([
      { path: MANIFEST_PATH, data: Buffer.from(JSON.stringify(manifest)) },
      ...members,
    ]);
    await assert.rejects(
      extractArtifact(bytes, join(root, 'app')),
      (e: unknown) => e instanceof EddyError && e.code === 'INVALID_ARTIFACT',
    );
    const truncated = artifact().subarray(0, 200);
    await assert.rejects(extractArtifact(truncated, join(root, 'app')), /invalid artifact/);
    assert.deepEqual(readdirSync(root), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('extracting into a directory holding other files is refused', async () => {
  const root = scratch();
  try {
    writeFileSync(join(root, 'job.mjs'), 'export {};\n');
    await assert.rejects(
      extractArtifact(artifact(), root),
      (e: unknown) => e instanceof EddyError && /is not empty/.test(e.message),
    );
    assert.equal(readFileSync(join(root, 'job.mjs'), 'utf8'), 'export {};\n');
    mkdirSync(join(root, 'empty'));
    await extractArtifact(artifact(), join(root, 'empty'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('extracted artifacts see every entry point the package exports', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const exported = Object.keys(pkg.exports).filter((k) => k !== './package.json');
  assert.deepEqual(Object.keys(RUNTIME_ENTRY_POINTS).sort(), exported.sort());
});
