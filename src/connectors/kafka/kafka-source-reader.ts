/**
 * The reader of one Kafka source subtask. It owns the partitions that {@link splitOwner} gives
 * its subtask, fetches them through the client port in a loop off the record path (prefetching
 * into a bounded buffer), and hands records out synchronously in `pollNext`, decoding a batch at
 * a time — one split output per partition so each partition has its own watermark and idleness.
 * Its checkpoint state is the next offset of every partition it owns.
 *
 * @module
 */
import type {
  InputStatus,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  SplitOutput,
} from '../../core/connector-spi.ts';
import type { Counter } from '../../core/metric-group.ts';
import type { PartitionFetch } from './client/fetch-batch.ts';
import { OffsetOutOfRangeError, KafkaClientError } from './client/kafka-client-error.ts';
import type { KafkaClientPort } from './client/kafka-client-port.ts';
import type { KafkaRecord } from './client/kafka-record.ts';
import { type TopicPartition, topicPartitionKey } from './client/topic-partition.ts';
import { kafkaEddyError } from './kafka-eddy-error.ts';
import type { KafkaSourceOptions } from './kafka-source-options.ts';
import { OffsetsInitializer } from './offsets-initializer.ts';
import { splitOwner } from './split-owner.ts';

/** A reader's checkpoint state, by `topic-partition`. */
export interface KafkaSourceState {
  /** The next offset to read. */
  readonly offsets: Readonly<Record<string, number>>;
  /**
   * The exclusive stop offsets of a bounded source, as resolved when the partition was first
   * assigned (Flink keeps them in the split too): a restored bounded job ends where the
   * uninterrupted one would have, not at the log end of the restore. Absent in states of unbounded
   * sources and of versions before it was kept.
   */
  readonly stops?: Readonly<Record<string, number>>;
}

/** A dead letter of a Kafka record: the common fields plus the record's coordinates and key. */
export interface KafkaDeadLetter {
  readonly source: string;
  /** `topic-partition@offset`. */
  readonly position: string;
  /** The value bytes (empty for a tombstone). */
  readonly raw: Uint8Array;
  readonly error: string;
  readonly key: Uint8Array | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** One owned partition. */
class PartitionState {
  /** Next offset to emit (the checkpointed position). */
  position: number;
  /** Next offset to fetch (ahead of `position` by what is buffered). */
  fetchOffset: number;
  /** High watermark (read_uncommitted) or last stable offset (read_committed) seen last. */
  end = -1;
  finished = false;
  output: SplitOutput<unknown> | undefined;
  readonly key: string;
  constructor(
    readonly topic: string,
    readonly partition: number,
    offset: number,
    /** Exclusive stop offset; +∞ when unbounded. */
    public stop: number,
  ) {
    this.key = topicPartitionKey({ topic, partition });
    this.position = offset;
    this.fetchOffset = offset;
  }
  get lag(): number {
    return this.end < 0 ? 0 : Math.max(0, this.end - this.position);
  }
}

/** Fetched records of one partition, waiting to be emitted. */
interface Chunk {
  readonly state: PartitionState;
  readonly records: readonly KafkaRecord[];
  index: number;
  readonly nextOffset: number;
}

function keyOf(tp: TopicPartition): string {
  return topicPartitionKey(tp);
}

/** See the module documentation. */
export class KafkaSourceReader<T> implements SourceReader<T> {
  private client: KafkaClientPort | undefined;
  private readonly partitions = new Map<string, PartitionState>();
  private restored: Map<string, number> | undefined;
  /** Stop offsets from the restored state (bounded sources). */
  private restoredStops: Map<string, number> | undefined;
  private queue: Chunk[] = [];
  private head = 0;
  private buffered = 0;
  private error: unknown;
  private closing = false;
  private loop: Promise<void> | undefined;
  private discoveryTimer: ReturnType<typeof setInterval> | undefined;
  private waiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private drained: (() => void) | undefined;
  private idleReported = false;
  /** Offsets snapshotted per checkpoint, committed to the group when it completes. */
  private readonly pendingCommits = new Map<
    number,
    { topic: string; partition: number; offset: number }[]
  >();
  private readonly recordsIn: Counter;
  private readonly bytesIn: Counter;
  private readonly commitsSucceeded: Counter;
  private readonly commitsFailed: Counter;

  constructor(
    private readonly options: KafkaSourceOptions<T>,
    private readonly ctx: SourceReaderContext,
  ) {
    const m = ctx.metrics;
    this.recordsIn = m.counter('kafka_records_in', 'records read from Kafka');
    this.bytesIn = m.counter('kafka_bytes_in', 'key and value bytes read from Kafka');
    this.commitsSucceeded = m.counter(
      'kafka_commits_succeeded',
      'offset commits to the consumer group that succeeded',
    );
    this.commitsFailed = m.counter(
      'kafka_commits_failed',
      'offset commits to the consumer group that failed',
    );
    m.gauge(
      'records_lag_max',
      () => {
        let max = 0;
        for (const p of this.partitions.values()) if (p.lag > max) max = p.lag;
        return max;
      },
      'largest consumer lag (records) over the partitions of this subtask',
    );
  }

  restoreState(state: unknown): void {
    this.restoreUnionState([state]);
  }

  /** After a rescale: every saved reader's offsets; `start` keeps those of the partitions it owns. */
  restoreUnionState(states: readonly unknown[]): void {
    const offsets = new Map<string, number>();
    const stops = new Map<string, number>();
    for (const state of states) {
      const s = state as KafkaSourceState | undefined;
      for (const [partition, offset] of Object.entries(s?.offsets ?? {}))
        offsets.set(partition, offset);
      for (const [partition, stop] of Object.entries(s?.stops ?? {})) stops.set(partition, stop);
    }
    this.restored = offsets;
    this.restoredStops = stops;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.client = o.clientFactory(
      o.bootstrapServers,
      `eddy-${this.ctx.sourceName}-${this.ctx.subtaskIndex}`,
    );
    const all = await this.call('list partitions', () => this.listPartitions());
    await this.addPartitions(all, o.startingOffsets);
    if (o.stoppingOffsets === undefined && o.discoveryIntervalMs > 0) {
      this.discoveryTimer = setInterval(() => {
        void this.discover();
      }, o.discoveryIntervalMs);
      this.discoveryTimer.unref();
    }
    this.loop = this.fetchLoop();
  }

  pollNext(output: SourceOutput<T>): InputStatus {
    if (this.error !== undefined) throw this.error;
    const deserializer = this.options.deserializer;
    const source = this.ctx.sourceName;
    const split = output.createOutputForSplit !== undefined;
    while (this.head < this.queue.length && output.remaining > 0) {
      const chunk = this.queue[this.head] as Chunk;
      const ps = chunk.state;
      const records = chunk.records;
      if (ps.finished || this.partitions.get(ps.key) !== ps) {
        this.dropChunk(chunk);
        continue;
      }
      if (ps.output === undefined && split) {
        ps.output = (output.createOutputForSplit as (id: string) => SplitOutput<unknown>)(ps.key);
      }
      const out = (ps.output ?? output) as SplitOutput<T>;
      const stop = ps.stop;
      const end = Math.min(records.length, chunk.index + output.remaining);
      let i = chunk.index;
      let bytes = 0;
      // One try per run of good records; a bad record is isolated and dead-lettered. Only what
      // the deserializer throws is a malformed record: `collect` runs the operators downstream
      // synchronously, and what they throw fails the job (restored from its checkpoint).
      let decoding = false;
      while (i < end) {
        let record = records[i] as KafkaRecord;
        try {
          for (; i < end; i++) {
            record = records[i] as KafkaRecord;
            if (record.offset >= stop) break;
            decoding = true;
            const value = deserializer.deserialize(record);
            decoding = false;
            bytes += (record.value?.length ?? 0) + (record.key?.length ?? 0);
            out.collect(value, record.timestamp);
            ps.position = record.offset + 1;
          }
          if (i < end) break; // reached the stop offset
        } catch (e) {
          if (!decoding) throw output.recordFailed?.(e, `${ps.key}@${record.offset}`) ?? e;
          decoding = false;
          bytes += (record.value?.length ?? 0) + (record.key?.length ?? 0);
          const letter: KafkaDeadLetter = {
            source,
            position: `${ps.key}@${record.offset}`,
            raw: record.value ?? new Uint8Array(0),
            error: e instanceof Error ? e.message : String(e),
            key: record.key,
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
          };
          ps.position = record.offset + 1;
          i++;
          output.deadLetter(letter);
        }
      }
      const taken = i - chunk.index;
      chunk.index = i;
      this.buffered -= taken;
      this.recordsIn.inc(taken);
      this.bytesIn.inc(bytes);
      if (
        i >= records.length ||
        (i < records.length && (records[i] as KafkaRecord).offset >= stop)
      ) {
        // The fetch's next offset skips transaction markers and aborted records.
        if (chunk.nextOffset > ps.position)
          ps.position = Math.min(chunk.nextOffset, Math.max(stop, ps.position));
        this.dropChunk(chunk);
        this.checkFinished(ps, output);
      }
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.drained?.();
    }
    if (this.head < this.queue.length) return 'MORE_AVAILABLE';
    if (this.options.stoppingOffsets !== undefined && this.allFinished()) return 'END_OF_INPUT';
    if (this.partitions.size === 0 && !this.idleReported) {
      // Owning no partition must not hold back the job's watermark.
      this.idleReported = true;
      output.markIdle?.();
    }
    return 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.head < this.queue.length || this.error !== undefined || this.closing) {
      return Promise.resolve();
    }
    if (this.options.stoppingOffsets !== undefined && this.allFinished()) return Promise.resolve();
    if (this.waiter === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  snapshotState(checkpointId: number): KafkaSourceState {
    const offsets: Record<string, number> = {};
    const stops: Record<string, number> = {};
    let bounded = false;
    const commits: { topic: string; partition: number; offset: number }[] = [];
    for (const p of this.partitions.values()) {
      offsets[p.key] = p.position;
      if (p.stop !== Number.POSITIVE_INFINITY) {
        stops[p.key] = p.stop;
        bounded = true;
      }
      commits.push({ topic: p.topic, partition: p.partition, offset: p.position });
    }
    if (this.options.groupId !== undefined && this.options.commitOffsetsOnCheckpoint) {
      this.pendingCommits.set(checkpointId, commits);
    }
    return bounded ? { offsets, stops } : { offsets };
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const commits = this.pendingCommits.get(checkpointId);
    for (const id of [...this.pendingCommits.keys()])
      if (id <= checkpointId) this.pendingCommits.delete(id);
    const groupId = this.options.groupId;
    if (commits === undefined || commits.length === 0 || groupId === undefined) return;
    // For lag monitoring only (Flink's rule): a failed commit never fails the job.
    try {
      await this.client?.commitGroupOffsets(groupId, commits);
      this.commitsSucceeded.inc();
    } catch {
      this.commitsFailed.inc();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.discoveryTimer !== undefined) clearInterval(this.discoveryTimer);
    this.wakeReader();
    this.drained?.();
    await this.loop?.catch(() => undefined);
    await this.client?.close();
    this.client = undefined;
  }

  /** The owned partitions and their positions (tests, diagnostics). */
  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.partitions.values()) out[p.key] = p.position;
    return out;
  }

  private listPartitions(): Promise<TopicPartition[]> {
    return (this.client as KafkaClientPort).listPartitions(this.options.topics);
  }

  /** Adds the owned ones of `all` that are new, starting at their restored offset or `initializer`. */
  private async addPartitions(
    all: readonly TopicPartition[],
    initializer: OffsetsInitializer,
  ): Promise<void> {
    const o = this.options;
    const { subtaskIndex, parallelism } = this.ctx;
    const mine = all.filter(
      (tp) => splitOwner(tp, parallelism) === subtaskIndex && !this.partitions.has(keyOf(tp)),
    );
    if (mine.length === 0) return;
    const client = this.client as KafkaClientPort;
    const restored = this.restored;
    const fresh = mine.filter((tp) => !restored?.has(keyOf(tp)));
    // Partitions that appeared after the restored checkpoint are new: read them from the start.
    const init = restored !== undefined ? OffsetsInitializer.earliest() : initializer;
    const starts = await this.call('look up starting offsets', () =>
      init.getPartitionOffsets(client, fresh, o.isolationLevel, o.groupId),
    );
    const startOf = new Map(starts.map((s) => [keyOf(s), s.offset]));
    // A restored partition keeps the stop offset it had; only new ones are looked up.
    const keptStops = this.restoredStops;
    const unresolved = mine.filter((tp) => !keptStops?.has(keyOf(tp)));
    const stops =
      o.stoppingOffsets === undefined || unresolved.length === 0
        ? undefined
        : await this.call('look up stopping offsets', () =>
            (o.stoppingOffsets as OffsetsInitializer).getPartitionOffsets(
              client,
              unresolved,
              o.isolationLevel,
              o.groupId,
            ),
          );
    const stopOf = new Map((stops ?? []).map((s) => [keyOf(s), s.offset]));
    if (o.stoppingOffsets !== undefined && keptStops !== undefined)
      for (const tp of mine) {
        const kept = keptStops.get(keyOf(tp));
        if (kept !== undefined) stopOf.set(keyOf(tp), kept);
      }
    for (const tp of mine) {
      const key = keyOf(tp);
      const offset = restored?.get(key) ?? startOf.get(key) ?? 0;
      const ps = new PartitionState(
        tp.topic,
        tp.partition,
        offset,
        stopOf.get(key) ?? Number.POSITIVE_INFINITY,
      );
      ps.finished = ps.position >= ps.stop;
      this.partitions.set(key, ps);
      this.ctx.metrics
        .addGroup('topic', tp.topic)
        .addGroup('partition', String(tp.partition))
        .gauge('records_lag', () => ps.lag, 'consumer lag of the partition (records)');
    }
    this.wakeFetcher();
  }

  private async discover(): Promise<void> {
    if (this.closing || this.client === undefined) return;
    try {
      const all = await this.listPartitions();
      await this.addPartitions(all, OffsetsInitializer.earliest());
    } catch {
      // Discovery is retried at the next interval; reading goes on meanwhile.
    }
  }

  private fetcherWake: (() => void) | undefined;

  private wakeFetcher(): void {
    this.fetcherWake?.();
  }

  private wakeReader(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }

  private async fetchLoop(): Promise<void> {
    const o = this.options;
    let failingSince: number | undefined;
    let backoff = 100;
    while (!this.closing) {
      if (this.buffered >= o.maxBufferedRecords) {
        await new Promise<void>((r) => (this.drained = r));
        this.drained = undefined;
        continue;
      }
      const active: PartitionState[] = [];
      for (const p of this.partitions.values())
        if (!p.finished && p.fetchOffset < p.stop) active.push(p);
      if (active.length === 0) {
        // Nothing to fetch: wait for discovery (or for the end of a bounded source).
        this.wakeReader();
        await new Promise<void>((r) => {
          this.fetcherWake = r;
          setTimeout(r, 1000).unref();
        });
        this.fetcherWake = undefined;
        continue;
      }
      try {
        const batch = await (this.client as KafkaClientPort).fetch(
          active.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.fetchOffset })),
          { isolationLevel: o.isolationLevel, maxWaitMs: o.fetchMaxWaitMs },
        );
        failingSince = undefined;
        backoff = 100;
        this.accept(batch.partitions);
      } catch (e) {
        if (this.closing) break;
        if (e instanceof OffsetOutOfRangeError) {
          await this.resetOutOfRange(e.partitions).catch((err: unknown) =>
            this.fail(err, 'reset offsets'),
          );
          continue;
        }
        const now = Date.now();
        failingSince ??= now;
        const retryable =
          e instanceof KafkaClientError ? e.retryable || e.reason === 'unavailable' : false;
        if (!retryable || now - failingSince > o.retryTimeoutMs) {
          this.fail(e, 'fetch');
          return;
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private accept(fetched: readonly PartitionFetch[]): void {
    let added = false;
    const committed = this.options.isolationLevel === 'read_committed';
    for (const pf of fetched) {
      const ps = this.partitions.get(topicPartitionKey(pf));
      if (ps === undefined) continue;
      ps.end = committed ? pf.lastStableOffset : pf.highWatermark;
      if (pf.nextOffset <= ps.fetchOffset) continue;
      ps.fetchOffset = pf.nextOffset;
      if (pf.records.length > 0) {
        this.queue.push({ state: ps, records: pf.records, index: 0, nextOffset: pf.nextOffset });
        this.buffered += pf.records.length;
        added = true;
      } else if (this.head >= this.queue.length) {
        // Only markers or aborted records: nothing buffered for it, so the position moves now.
        ps.position = Math.min(pf.nextOffset, Math.max(ps.stop, ps.position));
        if (ps.position >= ps.stop) ps.finished = true;
        added = true;
      } else {
        // Keep order with what is still buffered for this partition.
        this.queue.push({ state: ps, records: [], index: 0, nextOffset: pf.nextOffset });
        added = true;
      }
    }
    if (added) this.wakeReader();
  }

  private async resetOutOfRange(partitions: readonly TopicPartition[]): Promise<void> {
    const o = this.options;
    const client = this.client as KafkaClientPort;
    const listed = await client.listOffsets(
      partitions,
      o.startingOffsets.resetStrategy,
      o.isolationLevel,
    );
    for (const l of listed) {
      const ps = this.partitions.get(keyOf(l));
      if (ps === undefined) continue;
      // Drop what is buffered for it: the position jumps.
      for (let i = this.head; i < this.queue.length; i++) {
        const c = this.queue[i] as Chunk;
        if (c.state === ps) {
          this.buffered -= c.records.length - c.index;
          c.index = c.records.length;
        }
      }
      ps.position = l.offset;
      ps.fetchOffset = l.offset;
    }
  }

  private dropChunk(chunk: Chunk): void {
    this.buffered -= chunk.records.length - chunk.index;
    chunk.index = chunk.records.length;
    this.head++;
  }

  private checkFinished(ps: PartitionState, output: SourceOutput<T>): void {
    if (ps.finished || ps.position < ps.stop) return;
    ps.finished = true;
    // A finished partition no longer holds back the watermark.
    if (ps.output !== undefined) output.releaseOutputForSplit?.(ps.key);
  }

  private allFinished(): boolean {
    for (const p of this.partitions.values()) if (!p.finished) return false;
    return true;
  }

  private fail(e: unknown, what: string): void {
    this.error ??= kafkaEddyError(e, 'SOURCE_FAILED', this.ctx.sourceName, what);
    this.wakeReader();
  }

  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    const deadline = Date.now() + this.options.retryTimeoutMs;
    let backoff = 100;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        const retryable =
          e instanceof KafkaClientError && (e.retryable || e.reason === 'unavailable');
        if (!retryable || Date.now() > deadline || this.closing) {
          throw kafkaEddyError(e, 'SOURCE_FAILED', this.ctx.sourceName, what);
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }
}
