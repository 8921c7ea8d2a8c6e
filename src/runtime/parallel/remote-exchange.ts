/**
 * The cross-thread channels of one slot: the {@link SlotPlacement} a worker's {@link JobRun} uses.
 *
 * One `MessagePort` per pair of slots carries every channel between them, tagged with the channel
 * number, so batches, watermarks, idleness and end-of-input stay in order per channel. Batches of
 * uniform plain records travel in columns (`columnar-batch-codec.ts`, typed arrays transferred);
 * other batches are structured-cloned by `postMessage` (measured faster than `v8.serialize` +
 * transfer, see bench/README.md).
 *
 * Credit-based backpressure: each direction of a connection starts with {@link INITIAL_CREDITS}
 * batches of credit; sending a batch spends one; the receiver returns credits once it has
 * processed batches. A producer whose connection is out of credit registers a blocker, and the
 * slot's sources wait for it before their next batch (the record path itself never awaits).
 *
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import { EddyError, type OperatorRef } from '../../errors/eddy-error.ts';
import type { ChannelTarget } from '../channel.ts';
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.ts';
import { RecordBatch } from '../record-batch.ts';
import type { TaskTimes } from '../task-times.ts';
import type { BatchMessage, ChannelMessage } from './channel-message.ts';
import { decodeColumns, encodeColumns, type ColumnarBatch } from './columnar-batch-codec.ts';
import { findUnserializable } from './find-unserializable.ts';
import type { SlotPlacement, SlotRunHooks } from './slot-placement.ts';

/** Batches a producer may send to a peer slot before it must wait for credit. */
export const INITIAL_CREDITS = 8;

/** One direction-pair connection to a peer slot. */
class Connection {
  credits = INITIAL_CREDITS;
  /** Credits owed to the peer for batches processed here. */
  owed = 0;
  private release: (() => void) | undefined;
  private creditFlushScheduled = false;

  constructor(
    readonly port: MessagePort,
    private readonly exchange: RemoteExchange,
  ) {}

  /** Spends a credit; out of credit, the slot's sources wait until credit comes back. */
  spend(): void {
    if (--this.credits > 0 || this.release !== undefined) return;
    const waiting = new Promise<void>((resolve) => (this.release = resolve));
    this.exchange.block(waiting);
  }

  granted(n: number): void {
    this.credits += n;
    if (this.credits > 0 && this.release !== undefined) {
      const r = this.release;
      this.release = undefined;
      r();
    }
  }

  /** Owes a credit for a processed batch; credits go back coalesced, once per event-loop turn. */
  owe(): void {
    this.owed++;
    if (this.creditFlushScheduled) return;
    this.creditFlushScheduled = true;
    setImmediate(() => {
      this.creditFlushScheduled = false;
      const n = this.owed;
      this.owed = 0;
      if (n > 0) this.port.postMessage({ k: 'credit', n } satisfies ChannelMessage);
    });
  }
}

/** Batches a channel clones without trying columns after its records failed to fit them. */
const COLUMNAR_BACKOFF = 64;

/** The sending end of one channel to a subtask in another slot. */
class OutboundChannel implements ChannelTarget {
  /** Batches to send without trying columns (records of this channel did not fit them). */
  private skipColumns = 0;
  constructor(
    private readonly channel: number,
    private readonly connection: Connection,
    private readonly producer: OperatorRef,
  ) {}

  pushBatch(batch: RecordBatch): void {
    const n = batch.size;
    const t = new Float64Array(n);
    const ts = batch.timestamps;
    for (let i = 0; i < n; i++) t[i] = ts[i] as number;
    const transfer: ArrayBuffer[] = [t.buffer];
    // Most channels carry one record type: when its batches do not fit columns, stop trying
    // for a while instead of checking every batch.
    let cols: ColumnarBatch | undefined;
    if (this.skipColumns > 0) this.skipColumns--;
    else {
      cols = encodeColumns(batch.values, n, transfer);
      if (cols === undefined) this.skipColumns = COLUMNAR_BACKOFF;
    }
    const message: BatchMessage = {
      k: 'batch',
      c: this.channel,
      n,
      v: cols === undefined ? batch.values.slice(0, n) : undefined,
      cols,
      t,
    };
    try {
      this.connection.port.postMessage(message, transfer);
    } catch (e) {
      throw notSerializable(e, batch.values.slice(0, n), this.producer);
    }
    this.connection.spend();
  }
  pushWatermark(watermark: number): void {
    this.connection.port.postMessage({ k: 'watermark', c: this.channel, w: watermark });
  }
  pushIdle(idle: boolean): void {
    this.connection.port.postMessage({ k: 'idle', c: this.channel, idle });
  }
  pushBarrier(barrier: CheckpointBarrier): void {
    const b = { id: barrier.id, timestamp: barrier.timestamp, savepoint: barrier.savepoint };
    this.connection.port.postMessage({ k: 'barrier', c: this.channel, b });
  }
  pushEnd(): void {
    this.connection.port.postMessage({ k: 'end', c: this.channel });
  }
}

interface Inbound {
  readonly target: ChannelTarget;
  readonly times: TaskTimes;
  readonly batch: RecordBatch;
  readonly connection: Connection;
  ended: boolean;
}

/** The cross-thread channels of one slot. */
export class RemoteExchange implements SlotPlacement {
  private readonly connections: (Connection | undefined)[];
  private readonly inbounds = new Map<number, Inbound>();
  private readonly early: [Connection, ChannelMessage][] = [];
  private hooks: SlotRunHooks | undefined;
  private endedCount = 0;
  private resolveEnded: (() => void) | undefined;
  private failed = false;

  /**
   * @param slot this slot
   * @param ports the port to each other slot, by slot index (undefined for this slot)
   */
  constructor(
    readonly slot: number,
    ports: readonly (MessagePort | undefined)[],
  ) {
    this.connections = ports.map((port) => {
      if (port === undefined) return undefined;
      const conn = new Connection(port, this);
      port.on('message', (m: ChannelMessage) => this.receive(conn, m));
      return conn;
    });
  }

  outbound(channel: number, consumerSlot: number, producer: OperatorRef): ChannelTarget {
    return new OutboundChannel(channel, this.connection(consumerSlot), producer);
  }

  inbound(channel: number, producerSlot: number, target: ChannelTarget, times: TaskTimes): void {
    this.inbounds.set(channel, {
      target,
      times,
      batch: new RecordBatch(),
      connection: this.connection(producerSlot),
      ended: false,
    });
  }

  start(hooks: SlotRunHooks): Promise<void> {
    this.hooks = hooks;
    const ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));
    for (const [conn, m] of this.early.splice(0)) this.receive(conn, m);
    this.checkEnded();
    return ended;
  }

  /** Closes every port (after the job ended in every slot). */
  close(): void {
    for (const c of this.connections) c?.port.close();
  }

  /** @internal A connection ran out of credit. */
  block(waiting: Promise<void>): void {
    this.hooks?.addBlocker(waiting);
  }

  private connection(slot: number): Connection {
    const c = this.connections[slot];
    if (c === undefined) {
      throw new EddyError(`no connection from slot ${this.slot} to slot ${slot}`, {
        code: 'INTERNAL',
        domain: 'internal',
      });
    }
    return c;
  }

  private receive(conn: Connection, m: ChannelMessage): void {
    if (m.k === 'credit') {
      conn.granted(m.n);
      return;
    }
    if (this.hooks === undefined) {
      this.early.push([conn, m]);
      return;
    }
    if (this.failed) return;
    const inbound = this.inbounds.get(m.c);
    if (inbound === undefined) return;
    try {
      switch (m.k) {
        case 'batch': {
          const b = inbound.batch;
          const t = m.t;
          const n = m.n;
          // Into the channel's reused batch: operators always see one RecordBatch shape.
          if (m.cols !== undefined) decodeColumns(m.cols, n, b.values);
          else {
            const v = m.v as unknown[];
            for (let i = 0; i < n; i++) b.values[i] = v[i];
          }
          for (let i = 0; i < n; i++) b.timestamps[i] = t[i] as number;
          b.size = n;
          inbound.target.pushBatch(b);
          b.size = 0;
          b.values.fill(undefined, 0, n);
          conn.owe();
          break;
        }
        case 'watermark':
          inbound.target.pushWatermark(m.w);
          break;
        case 'idle':
          inbound.target.pushIdle(m.idle);
          break;
        case 'barrier':
          inbound.target.pushBarrier(m.b);
          break;
        case 'end':
          if (!inbound.ended) {
            inbound.ended = true;
            this.endedCount++;
            inbound.target.pushEnd();
            this.checkEnded();
          }
          break;
      }
    } catch (e) {
      this.failed = true;
      this.hooks.fail(e);
      this.resolveEnded?.();
    }
  }

  private checkEnded(): void {
    if (this.endedCount === this.inbounds.size) this.resolveEnded?.();
  }
}

function notSerializable(e: unknown, values: readonly unknown[], producer: OperatorRef): EddyError {
  for (let i = 0; i < values.length; i++) {
    const part = findUnserializable(values[i]);
    if (part !== undefined) {
      return new EddyError(
        `a record it emitted cannot be sent to another thread: ` + `${part.path} is ${part.what}`,
        {
          code: 'NOT_SERIALIZABLE',
          domain: 'user',
          operator: producer,
          cause: e,
          hint:
            'records that cross threads (parallelism > 1) must be plain data: objects, arrays, ' +
            "strings, numbers, Maps, Sets, Dates; or run in one thread with { runtimeMode: 'in-process' }",
        },
      );
    }
  }
  return new EddyError(
    `a record it emitted cannot be sent to another thread: ${
      e instanceof Error ? e.message : String(e)
    }`,
    {
      code: 'NOT_SERIALIZABLE',
      domain: 'user',
      operator: producer,
      cause: e,
      hint: 'records that cross threads (parallelism > 1) must be plain data',
    },
  );
}
