/**
 * Reads a zip archive written by `writeZip` (or any plain zip: stored or deflated members, no
 * zip64, no encryption) into memory, checking it as untrusted input: every offset and size stays
 * inside the archive, member data does not overlap, names are safe relative paths, sizes and the
 * inflate ratio stay within {@link ArtifactLimits}, and every member's CRC-32 matches. Nothing is
 * written anywhere.
 *
 * @module
 */
import { crc32, inflateRawSync } from 'node:zlib';
import type { ArtifactLimits } from './artifact-limits.ts';
import { invalidArtifact } from './invalid-artifact.ts';

/** A member read from an archive. */
export interface ZipEntry {
  readonly path: string;
  readonly data: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const EOCD_SIZE = 22;
const MiB = 1024 * 1024;

/** Member data location, as the central directory describes it. */
interface CentralEntry {
  readonly path: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/** Reads and checks every member of the zip archive `bytes`. */
export function readZip(bytes: Uint8Array, limits: ArtifactLimits): ZipEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxArtifactBytes) {
    throw invalidArtifact(
      `it is ${buf.length} bytes, more than the limit of ${limits.maxArtifactBytes}`,
    );
  }
  const entries = readCentralDirectory(buf, limits);
  const ranges = entries.map((e) => locateData(buf, e));
  checkNoOverlap(entries, ranges);
  return entries.map((e, i) => ({ path: e.path, data: inflate(buf, e, ranges[i]!) }));
}

function readCentralDirectory(buf: Buffer, limits: ArtifactLimits): CentralEntry[] {
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (
    buf.readUInt16LE(eocd + 4) !== 0 ||
    buf.readUInt16LE(eocd + 6) !== 0 ||
    buf.readUInt16LE(eocd + 8) !== count
  ) {
    throw invalidArtifact('it is a multi-part (spanned) zip archive');
  }
  if (cdOffset + cdSize > eocd) {
    throw invalidArtifact('its central directory lies outside the file (truncated?)');
  }
  if (count > limits.maxMembers) {
    throw invalidArtifact(`it has ${count} members, more than the limit of ${limits.maxMembers}`);
  }
  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || buf.readUInt32LE(p) !== CENTRAL_HEADER) {
      throw invalidArtifact(`central directory entry ${i + 1} of ${count} is damaged`);
    }
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (next > cdOffset + cdSize) {
      throw invalidArtifact(`central directory entry ${i + 1} of ${count} is damaged`);
    }
    const path = buf.toString('utf8', p + 46, p + 46 + nameLength);
    checkMemberPath(path);
    const folded = path.toLowerCase();
    if (seen.has(folded)) throw invalidArtifact(`member "${path}" appears twice`);
    seen.add(folded);
    if ((flags & 0x0041) !== 0) throw invalidArtifact(`member "${path}" is encrypted`);
    if (method !== 0 && method !== 8) {
      throw invalidArtifact(
        `member "${path}" uses compression method ${method} (only stored and deflate are read)`,
      );
    }
    if (size === 0xffffffff || compressedSize === 0xffffffff) {
      throw invalidArtifact(`member "${path}" is a zip64 member (too large for an artifact)`);
    }
    // A zip bomb declares (or hides) a size far past what it stores; the declared size is
    // checked here and the real one while inflating, where output past it is cut off.
    if (size > MiB && size > compressedSize * limits.maxInflateRatio) {
      throw invalidArtifact(
        `member "${path}" inflates from ${compressedSize} to ${size} bytes, more than ` +
          `${limits.maxInflateRatio} times its compressed size`,
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw invalidArtifact(
        `its members inflate to more than the limit of ${limits.maxTotalBytes} bytes`,
      );
    }
    entries.push({
      path,
      method,
      crc,
      compressedSize,
      size,
      localOffset: buf.readUInt32LE(p + 42),
    });
    p = next;
  }
  return entries;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes.
  const stop = Math.max(0, buf.length - EOCD_SIZE - 0xffff);
  for (let p = buf.length - EOCD_SIZE; p >= stop; p--) {
    if (
      buf.readUInt32LE(p) === END_OF_CENTRAL_DIRECTORY &&
      p + EOCD_SIZE + buf.readUInt16LE(p + 20) === buf.length
    ) {
      return p;
    }
  }
  throw invalidArtifact(
    buf.length >= 4 && buf.readUInt32LE(0) === LOCAL_HEADER
      ? 'the file is truncated (its zip end record is missing)'
      : 'the file is not an Eddy artifact (not a zip archive)',
  );
}

/** A member's bytes: [local header start, data start, data end). */
type MemberRange = readonly [number, number, number];

/** Finds a member's local header and stored data. */
function locateData(buf: Buffer, e: CentralEntry): MemberRange {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL_HEADER) {
    throw invalidArtifact(`member "${e.path}" has no local header where the directory says`);
  }
  const nameLength = buf.readUInt16LE(p + 26);
  const start = p + 30 + nameLength + buf.readUInt16LE(p + 28);
  if (start > buf.length || buf.toString('utf8', p + 30, p + 30 + nameLength) !== e.path) {
    throw invalidArtifact(`member "${e.path}" has a local header for another name`);
  }
  const end = start + e.compressedSize;
  if (end > buf.length) throw invalidArtifact(`member "${e.path}" is cut off (truncated file?)`);
  return [p, start, end];
}

/** Members sharing bytes let a small archive expand into many large files; refuse them. */
function checkNoOverlap(entries: readonly CentralEntry[], ranges: readonly MemberRange[]): void {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]![0] - ranges[b]![0]);
  for (let k = 1; k < order.length; k++) {
    if (ranges[order[k]!]![0] < ranges[order[k - 1]!]![2]) {
      throw invalidArtifact(
        `members "${entries[order[k - 1]!]!.path}" and "${entries[order[k]!]!.path}" overlap`,
      );
    }
  }
}

function inflate(buf: Buffer, e: CentralEntry, range: MemberRange): Uint8Array {
  const stored = buf.subarray(range[1], range[2]);
  let data: Buffer;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) {
      throw invalidArtifact(`member "${e.path}" is stored with two different sizes`);
    }
    data = stored;
  } else {
    try {
      // maxOutputLength stops a member whose data inflates past its declared size early.
      data = inflateRawSync(stored, { maxOutputLength: Math.max(1, e.size) });
    } catch (cause) {
      const tooLarge = (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
      throw invalidArtifact(
        tooLarge
          ? `member "${e.path}" inflates past its declared size of ${e.size} bytes`
          : `member "${e.path}" is not valid deflate data (${(cause as Error).message})`,
      );
    }
  }
  if (data.length !== e.size) {
    throw invalidArtifact(`member "${e.path}" is ${data.length} bytes, not the declared ${e.size}`);
  }
  if (crc32(data) !== e.crc) throw invalidArtifact(`member "${e.path}" fails its CRC-32 check`);
  return data;
}

/**
 * A member name must be a plain relative path: extracting it must land inside the target
 * directory on every platform ("zip slip").
 */
export function checkMemberPath(path: string): void {
  const bad = (why: string) => invalidArtifact(`member path "${path}" ${why}`);
  if (path.length === 0 || path.length > 1024) throw bad('is empty or too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\]/.test(path)) throw bad('contains a backslash or a control character');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw bad('is absolute');
  if (path.endsWith('/')) throw bad('is a directory');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw bad('escapes the archive or has an empty, "." or ".." segment');
    }
  }
}
