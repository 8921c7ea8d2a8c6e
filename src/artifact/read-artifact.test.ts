import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { EddyError } from '../errors/eddy-error.ts';
import { MANIFEST_PATH, type ArtifactManifest } from './artifact-manifest.ts';
import { readArtifact, readArtifactContents } from './read-artifact.ts';
import { sha256Hex } from './sha256-hex.ts';
import { writeArtifact } from './write-artifact.ts';
import { writeZip } from './zip-writer.ts';

const JOB = Buffer.from(
  "import { StreamEnvironment } from 'eddy';\nexport const built = typeof StreamEnvironment;\n",
);

function sample(): { bytes: Uint8Array; manifest: ArtifactManifest } {
  return writeArtifact({
    name: 'clicks',
    entry: 'job.mjs',
    eddyVersion: '0.1.0',
    createdAt: new Date('2026-01-02T03:04:05Z'),
    plan: {
      fingerprint: '0123456789abcdef',
      summary: {
        jobName: 'clicks',
        parallelism: 1,
        maxParallelism: 128,
        operators: 2,
        sources: ['events'],
        sinks: ['print'],
      },
    },
    members: [
      { path: 'job.mjs', data: JOB },
      { path: 'assets/rules.json', data: Buffer.from('{"threshold":3}') },
    ],
  });
}

/** A zip with the given manifest object (serialized as is) and members. */
function zipWith(manifest: unknown, members: { path: string; data: Uint8Array }[]): Uint8Array {
  return writeZip([
    { path: MANIFEST_PATH, data: Buffer.from(JSON.stringify(manifest)) },
    ...members,
  ]);
}

function manifestFor(members: { path: string; data: Uint8Array }[], extra: object = {}): object {
  return {
    format: 1,
    name: 'x',
    entry: members[0]!.path,
    eddyVersion: '0.1.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    members: members.map((m) => ({ path: m.path, size: m.data.length, sha256: sha256Hex(m.data) })),
    ...extra,
  };
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => readArtifact(bytes),
    (e: unknown) => {
      assert.ok(e instanceof EddyError, `expected an EddyError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_ARTIFACT');
      assert.equal(e.domain, 'user');
      assert.equal(e.retryable, false);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('an artifact reads back: manifest with sizes and SHA-256 of each member, its own SHA-256', () => {
  const { bytes, manifest } = sample();
  const read = readArtifactContents(bytes);
  assert.deepEqual(read.manifest, manifest);
  assert.equal(read.sha256, sha256Hex(bytes));
  assert.deepEqual(read.manifest.members[0], {
    path: 'job.mjs',
    size: JOB.length,
    sha256: sha256Hex(JOB),
  });
  assert.deepEqual(Buffer.from(read.members.get('job.mjs')!), JOB);
  assert.deepEqual([...read.members.keys()], ['job.mjs', 'assets/rules.json']);
  // Same inputs, same bytes: the archive carries no clock of its own.
  assert.deepEqual(sample().bytes, bytes);
});

test('artifacts are standard zip files: unzip tests ours, and ours reads what zip writes', (t) => {
  if (spawnSync('unzip', ['-v']).status !== 0 || spawnSync('zip', ['-v']).status !== 0) {
    t.skip('zip/unzip not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'eddy-zip-'));
  try {
    writeFileSync(join(dir, 'app.eddy'), sample().bytes);
    const tested = spawnSync('unzip', ['-t', 'app.eddy'], { cwd: dir, encoding: 'utf8' });
    assert.equal(tested.status, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /No errors detected/);
    const members = [{ path: 'job.mjs', data: JOB }];
    writeFileSync(join(dir, MANIFEST_PATH), JSON.stringify(manifestFor(members)));
    writeFileSync(join(dir, 'job.mjs'), JOB);
    const zipped = spawnSync('zip', ['-X', 'theirs.zip', MANIFEST_PATH, 'job.mjs'], { cwd: dir });
    assert.equal(zipped.status, 0, String(zipped.stderr));
    const read = readArtifact(readFileSync(join(dir, 'theirs.zip')));
    assert.equal(read.manifest.entry, 'job.mjs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated artifact is refused at every length', () => {
  const { bytes } = sample();
  for (let n = 0; n < bytes.length; n++) {
    rejects(bytes.subarray(0, n), /invalid artifact/);
  }
  rejects(bytes.subarray(0, bytes.length - 10), /truncated/);
  rejects(Buffer.from('hello, not a zip at all, just some text'), /not an Eddy artifact/);
});

test('no corrupted byte goes unnoticed: each flip is refused or leaves every member as it was (property)', () => {
  const { bytes } = sample();
  const original = readArtifactContents(bytes);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: bytes.length - 1 }),
      fc.integer({ min: 1, max: 255 }),
      (at, xor) => {
        const copy = Buffer.from(bytes);
        copy[at]! ^= xor;
        let read;
        try {
          read = readArtifactContents(copy);
        } catch (e) {
          // Every failure is a clear artifact error, never a RangeError from a bad offset.
          return e instanceof EddyError && e.code === 'INVALID_ARTIFACT';
        }
        // Only bytes nothing depends on (timestamps, attributes) may change unnoticed.
        assert.deepEqual(read.manifest, original.manifest);
        assert.deepEqual(read.members, original.members);
        return true;
      },
    ),
    { numRuns: 2000 },
  );
});

test('a member that does not match the manifest is refused: checksum, size, missing, unlisted', () => {
  const members = [{ path: 'job.mjs', data: JOB }];
  const m = manifestFor(members) as { members: { sha256: string; size: number }[] };
  const wrongSha = structuredClone(m);
  wrongSha.members[0]!.sha256 = sha256Hex(Buffer.from('something else'));
  rejects(zipWith(wrongSha, members), /"job\.mjs" does not match its SHA-256/);
  const wrongSize = structuredClone(m);
  wrongSize.members[0]!.size = 3;
  rejects(zipWith(wrongSize, members), /"job\.mjs" is \d+ bytes, the manifest says 3/);
  rejects(zipWith(manifestFor(members), []), /"job\.mjs" is in the manifest but missing/);
  rejects(
    zipWith(manifestFor(members), [...members, { path: 'extra.js', data: JOB }]),
    /"extra\.js" is not listed in the manifest/,
  );
});

test('a zip without a manifest, or with a broken one, is refused', () => {
  rejects(writeZip([{ path: 'job.mjs', data: JOB }]), new RegExp(`no ${MANIFEST_PATH}`));
  rejects(
    writeZip([{ path: MANIFEST_PATH, data: Buffer.from('{ not json') }]),
    /manifest is not JSON/,
  );
  const members = [{ path: 'job.mjs', data: JOB }];
  rejects(zipWith(manifestFor(members, { name: 7 }), members), /"name" is not a non-empty string/);
  rejects(zipWith(manifestFor(members, { entry: 'nope.mjs' }), members), /entry "nope\.mjs"/);
  rejects(zipWith(manifestFor(members, { format: 0 }), members), /"format" is not 1/);
});

test('an artifact of a newer format names the versions and says to upgrade', () => {
  const members = [{ path: 'job.mjs', data: JOB }];
  assert.throws(
    () => readArtifact(zipWith(manifestFor(members, { format: 2, eddyVersion: '9.0.0' }), members)),
    (e: unknown) =>
      e instanceof EddyError &&
      /format version 2 \(Eddy 9\.0\.0\); this Eddy reads format 1/.test(e.message) &&
      /upgrade Eddy/.test(e.hint ?? ''),
  );
});

test('member paths that could escape the extraction directory are refused', () => {
  for (const path of [
    '../evil.mjs',
    'a/../../evil.mjs',
    '/etc/cron.d/evil',
    'C:/Windows/evil.dll',
    'a\\..\\..\\evil.mjs',
    'a//b.mjs',
    './job.mjs',
    'dir/',
    'node_modules/eddy/index.js',
    '.eddy-artifact.json',
  ]) {
    const members = [
      { path: 'job.mjs', data: JOB },
      { path, data: JOB },
    ];
    rejects(zipWith(manifestFor(members), members), /member path/);
  }
});

test('a zip bomb is refused before it inflates: by ratio, by total size, by lying about its size', () => {
  const zeros = Buffer.alloc(64 * 1024 * 1024);
  const members = [{ path: 'job.mjs', data: zeros }];
  const bomb = zipWith(manifestFor(members), members);
  assert.ok(bomb.length < 200_000, `the bomb is ${bomb.length} bytes`);
  rejects(bomb, /inflates from \d+ to 67108864 bytes, more than 100 times/);
  assert.throws(
    () => readArtifact(sample().bytes, { maxTotalBytes: 100 }),
    /members inflate to more than the limit of 100 bytes/,
  );
  assert.throws(
    () => readArtifact(sample().bytes, { maxArtifactBytes: 100 }),
    /more than the limit of 100/,
  );
  // A member whose headers declare 100 bytes but whose data inflates to 1 MB.
  const lying = Buffer.from(writeZip([{ path: 'job.mjs', data: Buffer.alloc(1 << 20) }]));
  const deflated = deflateRawSync(Buffer.alloc(1 << 20), { level: 9 });
  const cd = lying.length - 22 - 46 - 'job.mjs'.length;
  assert.equal(lying.readUInt32LE(cd), 0x02014b50);
  assert.equal(lying.readUInt32LE(cd + 20), deflated.length);
  lying.writeUInt32LE(100, cd + 24);
  lying.writeUInt32LE(100, 22);
  rejects(lying, /inflates past its declared size of 100 bytes/);
});

test('members overlapping in the archive (a non-recursive zip bomb) are refused', () => {
  const zip = Buffer.from(
    writeZip([
      { path: 'a.mjs', data: JOB },
      { path: 'b.mjs', data: JOB },
    ]),
  );
  // Point b's central entry at a's local header and data.
  const cdOffset = zip.readUInt32LE(zip.length - 22 + 16);
  const second = cdOffset + 46 + 'a.mjs'.length;
  assert.equal(zip.readUInt32LE(second), 0x02014b50);
  zip.writeUInt32LE(0, second + 42);
  rejects(zip, /local header for another name|overlap/);
});
