/**
 * The LMDB backend's log of changes for incremental checkpoints (ADR 0020, amended): every entry
 * the write buffer flushes to LMDB is also appended here, as its entry key, key group and stored
 * bytes (or a tombstone), into one segment file per checkpoint interval. An incremental checkpoint
 * reads the segments no confirmed checkpoint holds yet, newest record first — the newest record of
 * an entry is its value at the barrier, since the barrier flushes the buffer — and never LMDB.
 *
 * Why not read the changed entries from LMDB, as the backend first did: that needs a read
 * transaction open while the record path goes on writing, and LMDB cannot reuse a page that an
 * open reader may still see. At 2 M keys with checkpoints every 2 s the data file grew to 3 GiB for
 * 0.2 GiB of state and each write cost 1.5× more (bench/README.md, issue 19). Appending is a
 * sequential write of bytes the flush has encoded anyway, and the changed keys need no map on the
 * heap (nor a spill of it to disk when there are many).
 *
 * Segment layout, one record after another: flags (u8: 1 = removed), key group (u16), key length
 * (u32), the entry key in UTF-8, unless removed the value length (u32) and the stored value, and
 * last the record's length without these 4 bytes (u32), so that a segment reads from its end:
 * newest first, the first record of an entry read is the one a checkpoint takes, and one read
 * suffices (reading oldest first took a second read, or a copy of every value).
 *
 * @module
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A cursor over the records of a segment that are in its read buffer, newest first. `next()`
 * moves it to the next record (false: none left in the buffer — the reader refills it and yields
 * the cursor again); the fields describe the record it is on. One cursor per segment and no
 * promise per record: a checkpoint reads millions of them (an async generator yielding each
 * record took 10–15 % of a windowed job's CPU with checkpoints every 2 s).
 */
export interface ChangeCursor {
  /** Moves to the next record in the buffer; false when the buffer holds no whole record more. */
  next(): boolean;
  readonly entryKey: string;
  readonly keyGroup: number;
  /**
   * The stored value, or `undefined` when the entry was removed: a view of the read buffer, valid
   * until the cursor moves (copy it to keep it).
   */
  readonly value: Buffer | undefined;
}

const REMOVED = 1;
/** Bytes buffered before a write to the segment file. */
const BUFFER_BYTES = 1 << 20;
/** Bytes read from a segment file at a time. */
const READ_BYTES = 1 << 20;

/** A segment: the changes of one checkpoint interval. */
interface Segment {
  readonly epoch: number;
  readonly path: string;
  records: number;
  /** Readers still reading it: a drop deletes the file when the last one is done. */
  pins: number;
  dropped: boolean;
}

/** The segments a checkpoint reads, kept on disk until {@link ChangeLogReader.release}. */
export interface ChangeLogReader {
  /** Records in the segments: an upper bound of the distinct entries. */
  readonly records: number;
  /**
   * The changes, newest first (each call reads the segments again): a cursor per buffer of records,
   * to be moved with `next()` until it returns false before the next one is awaited.
   */
  changes(): AsyncGenerator<ChangeCursor>;
  release(): void;
}

/**
 * Append-only segments of changes, one per epoch (the interval before the epoch's barrier).
 *
 * @example
 * ```ts
 * const log = new ChangeLog(dir);
 * log.append('count\u0000n7', 12, encoded);  // while flushing
 * log.seal(1);                               // at the barrier of epoch 1
 * const r = log.reader(new Set([1]));        // the segments a checkpoint reads
 * for await (const c of r.changes())         // its changes, newest first
 *   while (c.next()) use(c.entryKey, c.keyGroup, c.value);
 * r.release();
 * log.drop(1);                               // epoch 1 is confirmed
 * ```
 */
export class ChangeLog {
  private buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private fd: number | undefined;
  private current: Segment;
  private readonly sealed: Segment[] = [];

  /** `firstEpoch`: the epoch whose barrier ends the first segment. */
  constructor(
    private readonly dir: string,
    firstEpoch = 1,
  ) {
    this.current = this.segment(firstEpoch);
  }

  private segment(epoch: number): Segment {
    return {
      epoch,
      path: join(this.dir, `changes-${epoch}.log`),
      records: 0,
      pins: 0,
      dropped: false,
    };
  }

  /** Logs that `entryKey` (of `keyGroup`) now holds `value`; `undefined`: it was removed. */
  append(entryKey: string, keyGroup: number, value: Buffer | undefined): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = 15 + entryKey.length * 3 + (value === undefined ? 0 : value.byteLength);
    if (this.used + need > this.buf.byteLength) {
      this.write();
      if (need > this.buf.byteLength) this.buf = Buffer.allocUnsafe(need);
    }
    const b = this.buf;
    let at = this.used;
    b[at] = value === undefined ? REMOVED : 0;
    b.writeUInt16LE(keyGroup, at + 1);
    const keyBytes = b.write(entryKey, at + 7, 'utf8');
    b.writeUInt32LE(keyBytes, at + 3);
    at += 7 + keyBytes;
    if (value !== undefined) {
      b.writeUInt32LE(value.byteLength, at);
      value.copy(b, at + 4);
      at += 4 + value.byteLength;
    }
    b.writeUInt32LE(at - this.used, at);
    this.used = at + 4;
    this.current.records++;
  }

  /** Writes what is buffered to the current segment's file. */
  private write(): void {
    if (this.used === 0) return;
    this.fd ??= openSync(this.current.path, 'a');
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  /**
   * Ends the segment of `epoch` (the changes up to its barrier); later appends go to the next
   * one. Epochs are sealed in order, one after another.
   */
  seal(epoch: number): void {
    const s = this.current;
    if (epoch !== s.epoch)
      throw new Error(`change log: sealed epoch ${epoch}, expected ${s.epoch}`);
    this.write();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.sealed.push(s);
    this.current = this.segment(epoch + 1);
  }

  /** A reader of the sealed segments of `epochs`; they stay on disk until it is released. */
  reader(epochs: ReadonlySet<number>): ChangeLogReader {
    const segments = this.sealed.filter((s) => epochs.has(s.epoch) && s.records > 0);
    for (const s of segments) s.pins++;
    let released = false;
    return {
      records: segments.reduce((n, s) => n + s.records, 0),
      async *changes() {
        for (let i = segments.length - 1; i >= 0; i--)
          yield* readSegment((segments[i] as Segment).path);
      },
      release() {
        if (released) return;
        released = true;
        for (const s of segments) if (--s.pins === 0 && s.dropped) remove(s);
      },
    };
  }

  /** Deletes the segments up to `epoch` (confirmed, or no longer needed). */
  drop(epoch: number): void {
    while (this.sealed.length > 0 && (this.sealed[0] as Segment).epoch <= epoch) {
      const s = this.sealed.shift() as Segment;
      s.dropped = true;
      if (s.pins === 0) remove(s);
    }
  }

  /** Stops logging; the files go with the backend's working copy. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.used = 0;
  }
}

function remove(s: Segment): void {
  if (s.records > 0) rmSync(s.path, { force: true });
}

/** The cursor of {@link readSegment}: records are taken from the end of `chunk[0, have)`. */
class SegmentCursor implements ChangeCursor {
  chunk = Buffer.allocUnsafe(0);
  have = 0;
  entryKey = '';
  keyGroup = 0;
  value: Buffer | undefined = undefined;

  next(): boolean {
    const chunk = this.chunk;
    if (this.have < 4) return false;
    // The last record's length (without its 4 bytes) is in its last 4 bytes.
    const end = this.have - 4;
    const length = chunk.readUInt32LE(end);
    if (length > end) return false;
    const at = end - length;
    const keyBytes = chunk.readUInt32LE(at + 3);
    this.keyGroup = chunk.readUInt16LE(at + 1);
    this.entryKey = chunk.toString('utf8', at + 7, at + 7 + keyBytes);
    if (((chunk[at] as number) & REMOVED) === 0) {
      const v = at + 11 + keyBytes;
      this.value = chunk.subarray(v, v + chunk.readUInt32LE(at + 7 + keyBytes));
    } else this.value = undefined;
    this.have = at;
    return true;
  }

  /** Bytes the newest record not yet taken needs in the buffer (4 while its length is unknown). */
  needed(): number {
    return this.have >= 4 ? this.chunk.readUInt32LE(this.have - 4) + 4 : 4;
  }
}

/**
 * The records of one segment file, newest first: yields one cursor again after each read (values
 * are views of the read buffer).
 */
async function* readSegment(path: string): AsyncGenerator<ChangeCursor> {
  const fh = await open(path, 'r');
  try {
    // The buffer holds the file's bytes [lo, lo + have).
    let lo = (await fh.stat()).size;
    const cursor = new SegmentCursor();
    for (;;) {
      if (cursor.have === 0 && lo === 0) return;
      const have = cursor.have;
      let need = cursor.needed();
      if (need <= have) {
        yield cursor;
        // A cursor left inside its buffer would be yielded again and again.
        if (cursor.next()) throw new Error('change log: a cursor was not read to its end');
        continue;
      }
      if (lo === 0) throw new Error(`change log ${path} starts inside a record`);
      need = Math.max(need, READ_BYTES);
      const read = Math.min(lo, need - have + READ_BYTES);
      const next = Buffer.allocUnsafe(read + have);
      cursor.chunk.copy(next, read, 0, have);
      lo -= read;
      let got = 0;
      while (got < read) {
        const { bytesRead } = await fh.read(next, got, read - got, lo + got);
        if (bytesRead === 0) throw new Error(`change log ${path} ended while read`);
        got += bytesRead;
      }
      cursor.chunk = next;
      cursor.have = have + read;
    }
  } finally {
    await fh.close();
  }
}
