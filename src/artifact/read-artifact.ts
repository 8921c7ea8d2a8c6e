/**
 * Reads and checks an application artifact without writing anything: the archive's structure and
 * limits (`readZip`), the manifest's shape and format version, and every member against the
 * manifest's size and SHA-256. What passes can be extracted and run; anything else is an
 * `INVALID_ARTIFACT` error naming the problem.
 *
 * @module
 */
import {
  ARTIFACT_FORMAT,
  MANIFEST_PATH,
  type ArtifactManifest,
  type ArtifactMember,
} from './artifact-manifest.ts';
import { DEFAULT_ARTIFACT_LIMITS, type ArtifactLimits } from './artifact-limits.ts';
import { invalidArtifact } from './invalid-artifact.ts';
import { sha256Hex } from './sha256-hex.ts';
import { checkMemberPath, readZip } from './zip-reader.ts';

/** What {@link readArtifact} returns. */
export interface ArtifactInfo {
  /** The checked manifest. */
  readonly manifest: ArtifactManifest;
  /** SHA-256 of the whole artifact file, lowercase hex (its identity). */
  readonly sha256: string;
}

/** An artifact's manifest and its members' bytes, checked. */
export interface ArtifactContents extends ArtifactInfo {
  /** Every member but the manifest, by path. */
  readonly members: ReadonlyMap<string, Uint8Array>;
}

/**
 * Checks the artifact `bytes` and returns its manifest and checksum.
 *
 * @throws EddyError `INVALID_ARTIFACT` (domain `user`) naming what is wrong: not an artifact,
 *   truncated, a checksum mismatch, a missing manifest or member, an unsafe member path, a member
 *   inflating past the limits, or a newer format version.
 */
export function readArtifact(bytes: Uint8Array, limits?: Partial<ArtifactLimits>): ArtifactInfo {
  const { manifest, sha256 } = readArtifactContents(bytes, limits);
  return { manifest, sha256 };
}

/** Like {@link readArtifact}, and returns the members' bytes too. */
export function readArtifactContents(
  bytes: Uint8Array,
  limits?: Partial<ArtifactLimits>,
): ArtifactContents {
  const entries = readZip(bytes, { ...DEFAULT_ARTIFACT_LIMITS, ...limits });
  const manifestEntry = entries.find((e) => e.path === MANIFEST_PATH);
  if (manifestEntry === undefined) {
    throw invalidArtifact(`it has no ${MANIFEST_PATH} (a zip file, but not an Eddy artifact)`);
  }
  const manifest = parseManifest(manifestEntry.data);
  const members = new Map<string, Uint8Array>();
  for (const e of entries) if (e.path !== MANIFEST_PATH) members.set(e.path, e.data);
  const listed = new Set<string>();
  for (const m of manifest.members) {
    const data = members.get(m.path);
    if (data === undefined)
      throw invalidArtifact(`member "${m.path}" is in the manifest but missing`);
    if (data.byteLength !== m.size) {
      throw invalidArtifact(
        `member "${m.path}" is ${data.byteLength} bytes, the manifest says ${m.size}`,
      );
    }
    if (sha256Hex(data) !== m.sha256) {
      throw invalidArtifact(`member "${m.path}" does not match its SHA-256 in the manifest`);
    }
    listed.add(m.path);
  }
  for (const path of members.keys()) {
    if (!listed.has(path)) throw invalidArtifact(`member "${path}" is not listed in the manifest`);
  }
  return { manifest, sha256: sha256Hex(bytes), members };
}

/**
 * Checks a member path: a safe relative path (no `..`, not absolute), and not one the runtime
 * reserves when it extracts (`node_modules/`, where it links Eddy, and names starting `.eddy`).
 */
export function checkArtifactMemberPath(path: string): void {
  checkMemberPath(path);
  if (path === MANIFEST_PATH || path.startsWith('node_modules/') || path.startsWith('.eddy')) {
    throw invalidArtifact(
      `member path "${path}" is reserved (${MANIFEST_PATH}, node_modules/ and .eddy* are the runtime's)`,
    );
  }
}

function parseManifest(data: Uint8Array): ArtifactManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (e) {
    throw invalidArtifact(`its manifest is not JSON (${(e as Error).message})`);
  }
  const bad = (field: string, expected: string) =>
    invalidArtifact(`its manifest's "${field}" is not ${expected}`);
  if (!isObject(raw)) throw invalidArtifact('its manifest is not a JSON object');
  const format = raw['format'];
  if (typeof format === 'number' && Number.isInteger(format) && format > ARTIFACT_FORMAT) {
    const by = typeof raw['eddyVersion'] === 'string' ? ` (Eddy ${raw['eddyVersion']})` : '';
    throw invalidArtifact(
      `it has format version ${format}${by}; this Eddy reads format ${ARTIFACT_FORMAT} and older`,
      `upgrade Eddy to run it${by !== '' ? ` (at least ${String(raw['eddyVersion'])})` : ''}, or package the job with this Eddy`,
    );
  }
  if (format !== ARTIFACT_FORMAT) throw bad('format', `${ARTIFACT_FORMAT}`);
  for (const field of ['name', 'entry', 'eddyVersion', 'createdAt']) {
    const v = raw[field];
    if (typeof v !== 'string' || v.length === 0) throw bad(field, 'a non-empty string');
  }
  if (Number.isNaN(Date.parse(raw['createdAt'] as string))) throw bad('createdAt', 'a date');
  const members = raw['members'];
  if (!Array.isArray(members)) throw bad('members', 'a list');
  const checked: ArtifactMember[] = [];
  const paths = new Set<string>();
  for (const m of members as unknown[]) {
    if (
      !isObject(m) ||
      typeof m['path'] !== 'string' ||
      typeof m['size'] !== 'number' ||
      !Number.isSafeInteger(m['size']) ||
      m['size'] < 0 ||
      typeof m['sha256'] !== 'string' ||
      !/^[0-9a-f]{64}$/.test(m['sha256'])
    ) {
      throw bad('members', 'a list of { path, size, sha256 }');
    }
    checkArtifactMemberPath(m['path']);
    if (paths.has(m['path'])) throw invalidArtifact(`its manifest lists "${m['path']}" twice`);
    paths.add(m['path']);
    checked.push({ path: m['path'], size: m['size'], sha256: m['sha256'] });
  }
  const entry = raw['entry'] as string;
  if (!paths.has(entry)) throw invalidArtifact(`its entry "${entry}" is not one of its members`);
  if (!/\.m?js$/.test(entry)) throw bad('entry', 'a JavaScript module (.mjs or .js)');
  const plan = raw['plan'];
  if (plan !== undefined) {
    checkPlan(plan);
    const planPath = (plan as { path?: string }).path;
    if (planPath !== undefined && !paths.has(planPath)) {
      throw invalidArtifact(`its plan member "${planPath}" is not one of its members`);
    }
  }
  return { ...raw, members: checked } as unknown as ArtifactManifest;
}

function checkPlan(plan: unknown): void {
  const bad = () => invalidArtifact(`its manifest's "plan" is not { fingerprint, summary }`);
  if (!isObject(plan) || typeof plan['fingerprint'] !== 'string') throw bad();
  const s = plan['summary'];
  if (
    !isObject(s) ||
    typeof s['jobName'] !== 'string' ||
    typeof s['parallelism'] !== 'number' ||
    typeof s['maxParallelism'] !== 'number' ||
    typeof s['operators'] !== 'number' ||
    !Array.isArray(s['sources']) ||
    !Array.isArray(s['sinks'])
  ) {
    throw bad();
  }
  if (plan['path'] !== undefined && typeof plan['path'] !== 'string') throw bad();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
