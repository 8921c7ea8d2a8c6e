/**
 * The metrics history the server keeps for the dashboard's charts: per application, one point
 * every `stepMs` for `retentionMs` (default 5 s × 1 h = 720 points) in fixed-size ring buffers
 * of `Float64Array`s — application series (throughput, Kafka lag, busy time, checkpoint
 * duration) and per-vertex series (records in/out per second, busy and backpressured time,
 * watermark lag). Memory is bounded: capacity × (4 + 5 × vertices) × 8 bytes per application
 * (about 1.5 MB for 50 vertices), a vertex no longer in the plan is dropped once its points have
 * aged out, and an application is dropped when it is deleted.
 *
 * @module
 */
import type { JobHistory, JobView, VertexHistory } from '../../protocol/job-view.ts';

/** How much history to keep. */
export interface MetricsHistoryOptions {
  /** Milliseconds between two points (default 5000). */
  readonly stepMs?: number;
  /** How long points are kept (default one hour). */
  readonly retentionMs?: number;
}

const VERTEX_SERIES = [
  'recordsInPerSecond',
  'recordsOutPerSecond',
  'busyTimeMsPerSecond',
  'backPressuredTimeMsPerSecond',
  'watermarkLagMs',
] as const satisfies readonly (keyof VertexHistory)[];

interface VertexRing {
  readonly series: Float64Array[];
  /** The point count when the vertex was last seen. */
  lastSeen: number;
}

/** One application's ring of points. */
class ApplicationHistory {
  readonly times: Float64Array;
  readonly throughput: Float64Array;
  readonly kafkaLag: Float64Array;
  readonly busy: Float64Array;
  readonly checkpointDuration: Float64Array;
  readonly vertices = new Map<number, VertexRing>();
  /** Points recorded so far (the next one goes to `count % capacity`). */
  count = 0;
  /** The newest checkpoint id already charted. */
  lastCheckpointId = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.throughput = new Float64Array(capacity);
    this.kafkaLag = new Float64Array(capacity);
    this.busy = new Float64Array(capacity);
    this.checkpointDuration = new Float64Array(capacity);
  }

  record(view: JobView): void {
    const slot = this.count % this.capacity;
    this.count++;
    this.times[slot] = view.sampledAt;
    let throughput = 0;
    let busy = 0;
    const inbound = new Set(view.edges.map((e) => e.target));
    for (const v of view.vertices) {
      if (!inbound.has(v.id)) throughput += v.metrics.recordsOutPerSecond;
      busy = Math.max(busy, v.metrics.busyTimeMsPerSecond);
      let ring = this.vertices.get(v.id);
      if (ring === undefined) {
        ring = {
          series: VERTEX_SERIES.map(() => new Float64Array(this.capacity).fill(Number.NaN)),
          lastSeen: 0,
        };
        this.vertices.set(v.id, ring);
      }
      ring.lastSeen = this.count;
      VERTEX_SERIES.forEach((name, i) => {
        (ring.series[i] as Float64Array)[slot] = v.metrics[name] ?? Number.NaN;
      });
    }
    for (const [id, ring] of this.vertices) {
      if (ring.lastSeen === this.count) continue;
      if (this.count - ring.lastSeen >= this.capacity) this.vertices.delete(id);
      else for (const s of ring.series) s[slot] = Number.NaN;
    }
    this.throughput[slot] = throughput;
    this.busy[slot] = busy;
    this.kafkaLag[slot] = view.kafka.partitions.length > 0 ? view.kafka.totalLag : Number.NaN;
    // The longest checkpoint completed since the previous point.
    let duration = Number.NaN;
    let newest = this.lastCheckpointId;
    for (const c of view.checkpoints.history) {
      if (c.id <= this.lastCheckpointId || c.status !== 'COMPLETED') continue;
      duration = Number.isNaN(duration) ? c.durationMs : Math.max(duration, c.durationMs);
      newest = Math.max(newest, c.id);
    }
    // A restarted job counts checkpoint ids from its restore point again: follow it down.
    const top = view.checkpoints.history[0]?.id ?? 0;
    this.lastCheckpointId = top < this.lastCheckpointId ? top : newest;
    this.checkpointDuration[slot] = duration;
  }

  /** The points, oldest first. */
  read(out: (ring: Float64Array) => (number | null)[]): {
    times: number[];
    throughput: (number | null)[];
    kafkaLag: (number | null)[];
    busy: (number | null)[];
    checkpointDuration: (number | null)[];
    vertices: Record<string, VertexHistory>;
  } {
    const vertices: Record<string, VertexHistory> = {};
    for (const [id, ring] of this.vertices) {
      const [recordsIn, recordsOut, busyTime, backPressured, lag] = ring.series.map(out);
      vertices[String(id)] = {
        recordsInPerSecond: recordsIn ?? [],
        recordsOutPerSecond: recordsOut ?? [],
        busyTimeMsPerSecond: busyTime ?? [],
        backPressuredTimeMsPerSecond: backPressured ?? [],
        watermarkLagMs: lag ?? [],
      };
    }
    return {
      times: out(this.times) as number[],
      throughput: out(this.throughput),
      kafkaLag: out(this.kafkaLag),
      busy: out(this.busy),
      checkpointDuration: out(this.checkpointDuration),
      vertices,
    };
  }
}

/** Bounded metrics history of every application. */
export class MetricsHistory {
  readonly stepMs: number;
  readonly retentionMs: number;
  private readonly capacity: number;
  private readonly apps = new Map<string, ApplicationHistory>();

  constructor(o: MetricsHistoryOptions = {}) {
    this.stepMs = o.stepMs ?? 5000;
    this.retentionMs = o.retentionMs ?? 60 * 60 * 1000;
    this.capacity = Math.max(2, Math.ceil(this.retentionMs / this.stepMs));
  }

  /** `EDDY_METRICS_STEP_MS` and `EDDY_METRICS_RETENTION_MS`, when set (tests sample faster). */
  static optionsFromEnv(env: NodeJS.ProcessEnv = process.env): MetricsHistoryOptions {
    const step = Number(env['EDDY_METRICS_STEP_MS']);
    const retention = Number(env['EDDY_METRICS_RETENTION_MS']);
    return {
      ...(step >= 100 && { stepMs: step }),
      ...(retention >= 1000 && { retentionMs: retention }),
    };
  }

  /** Adds a point for the view's application. */
  record(view: JobView): void {
    let h = this.apps.get(view.application);
    if (h === undefined)
      this.apps.set(view.application, (h = new ApplicationHistory(this.capacity)));
    h.record(view);
  }

  /** Forgets every application not in `names` (deleted ones). */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.apps.keys()) if (!names.has(name)) this.apps.delete(name);
  }

  /** Bytes held by the rings (for the bounded-memory test and the docs). */
  bytes(): number {
    let n = 0;
    for (const h of this.apps.values()) n += (5 + 5 * h.vertices.size) * h.capacity * 8;
    return n;
  }

  /** The history of `application`, oldest point first (empty when nothing was sampled). */
  history(application: string): JobHistory {
    const h = this.apps.get(application);
    const base = { application, stepMs: this.stepMs, retentionMs: this.retentionMs };
    if (h === undefined) {
      return {
        ...base,
        times: [],
        throughput: [],
        kafkaLag: [],
        busyTimeMsPerSecond: [],
        checkpointDurationMs: [],
        vertices: {},
      };
    }
    const n = Math.min(h.count, h.capacity);
    const start = h.count > h.capacity ? h.count % h.capacity : 0;
    const out = (ring: Float64Array): (number | null)[] => {
      const a = new Array<number | null>(n);
      for (let i = 0; i < n; i++) {
        const v = ring[(start + i) % h.capacity] as number;
        a[i] = Number.isNaN(v) ? null : v;
      }
      return a;
    };
    const r = h.read(out);
    return {
      ...base,
      times: r.times,
      throughput: r.throughput,
      kafkaLag: r.kafkaLag,
      busyTimeMsPerSecond: r.busy,
      checkpointDurationMs: r.checkpointDuration,
      vertices: r.vertices,
    };
  }
}
