/**
 * The keyed running count of the exactly-once kill tests' jobs: for every input record
 * `{ key, seq }` it emits `{ key, count, seq }`, the key's count so far — an output that the
 * input alone implies, so that a lost or duplicated record shows — and the environment and
 * pacing those jobs share.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AsyncDataStream,
  StreamEnvironment,
  ValueStateDescriptor,
  type DataStream,
  type Collector,
  type Context,
  type KeyedProcessFunction,
  type ValueState,
} from '../../src/index.ts';

/** An input record. */
export interface InputRecord {
  readonly key: string;
  readonly seq: number;
}

/** An output record: the running count of `key` after the input record `seq`. */
export interface CountRecord {
  readonly key: string;
  readonly count: number;
  readonly seq: number;
}

/** The running count per key, in keyed state. */
export class RunningCount implements KeyedProcessFunction<string, InputRecord, CountRecord> {
  private count!: ValueState<number>;
  open(ctx: Context<string>): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(r: InputRecord, _ctx: Context<string>, out: Collector<CountRecord>): void {
    const count = (this.count.value() ?? 0) + 1;
    this.count.update(count);
    out.collect({ key: r.key, count, seq: r.seq });
  }
}

/** The output lines `key count seq` that `inputs` imply, sorted. */
export function expectedCountLines(inputs: readonly InputRecord[]): string[] {
  const counts = new Map<string, number>();
  const out: string[] = [];
  for (const { key, seq } of inputs) {
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    out.push(`${key} ${count} ${seq}`);
  }
  return out.sort();
}

/**
 * The environment of a kill-test job: parallelism 2, checkpoints every 100 ms into `<dir>/chk`
 * (a restarted run resumes from the latest), no restart strategy (the test restarts the process).
 */
export function killJobEnvironment(dir: string): StreamEnvironment {
  return StreamEnvironment.create({
    parallelism: 2,
    checkpointInterval: 100,
    // Small batches: a barrier never waits long behind a batch in the slow async stage.
    batchSize: 8,
    checkpointDir: `${dir}/chk`,
    restartStrategy: { type: 'none' },
    handleSignals: false,
  });
}

/**
 * The running counts of `records` after a slow ordered async stage (`delayMs` per record, two
 * in flight per subtask) that makes the job span many checkpoints; uids `pace` and `counts`.
 */
export function pacedRunningCounts(
  records: DataStream<InputRecord>,
  delayMs: number,
): DataStream<CountRecord> {
  return AsyncDataStream.orderedWait(
    records,
    async (r: InputRecord) => {
      await sleep(delayMs);
      return r;
    },
    { capacity: 2 },
  )
    .uid('pace')
    .keyBy((r) => r.key)
    .process(new RunningCount())
    .uid('counts');
}
