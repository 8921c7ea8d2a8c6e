/**
 * Fuzzing of issue #17 at length: every target of `test/fuzz/fuzz-targets.ts` (the JSON, Avro
 * and Protobuf decoders, the CLI's flags, the checkpoint reader and `eddy state` on mutated
 * checkpoints, the REST API of `eddy server` from its OpenAPI document) gets `--runs` generated
 * and mutated inputs (default 1 000 000), each of which must end in a value, a dead letter or a
 * clear error. Prints, per target, the inputs run, the time, the slowest input and the heap
 * before and after (a target whose heap grows with the inputs leaks).
 *
 *   node --expose-gc --import tsx --conditions=eddy-source bench/fuzz.ts [--runs 1000000]
 *     [--targets json,avro,...] [--seed N] [--max-seconds S]
 *
 * The bounded share that runs in CI is `test/fuzz/fuzz.test.ts`.
 *
 * @module
 */
import fc from 'fast-check';
import {
  avroTarget,
  checkpointReaderTarget,
  cliFlagsTarget,
  jsonTarget,
  protobufTarget,
  restApiTarget,
  resent,
  sampleCheckpoint,
  stateCommandTarget,
  type FuzzTarget,
} from '../test/fuzz/fuzz-targets.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('runs') ?? 1_000_000);
const seed = Number(arg('seed') ?? Date.now() % 1_000_000);
const only = arg('targets')?.split(',');
// A time box per target (seconds): on a shared machine a slow target stops there and reports
// the inputs it ran, rather than running into the next one's time.
const maxSeconds = arg('max-seconds') === undefined ? undefined : Number(arg('max-seconds'));

const REST_BATCH = 8;

const makers: Record<
  string,
  (checkpoint: string) => FuzzTarget<unknown> | Promise<FuzzTarget<unknown>>
> = {
  json: () => jsonTarget() as FuzzTarget<unknown>,
  avro: () => avroTarget() as FuzzTarget<unknown>,
  protobuf: () => protobufTarget() as FuzzTarget<unknown>,
  'cli-flags': () => cliFlagsTarget() as FuzzTarget<unknown>,
  'checkpoint-reader': (cp) => checkpointReaderTarget(cp) as FuzzTarget<unknown>,
  'eddy-state': (cp) => stateCommandTarget(cp) as FuzzTarget<unknown>,
  // Requests in flight at once: the server works on the other core while the fuzzer generates.
  'rest-api': async () => (await restApiTarget(REST_BATCH)) as FuzzTarget<unknown>,
};

const heapMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const checkpoint = await sampleCheckpoint();
process.stdout.write(`fuzz: seed ${seed}, ${runs} inputs per target\n`);
process.stdout.write(
  'target              inputs     seconds  inputs/s  slowest ms  heap MiB before → after\n',
);
let failed = false;
for (const [name, make] of Object.entries(makers)) {
  if (only !== undefined && !only.includes(name)) continue;
  const target = await make(checkpoint);
  const before = heapMb();
  let slowest = 0;
  let count = 0;
  // The process under test (the REST target's server) is sampled after a GC at every tenth of
  // the run: heap and RSS that keep rising from tenth to tenth are a leak.
  const sampleEvery = Math.max(1, Math.floor(runs / 10));
  let sampledAt = -1;
  const sample = async (): Promise<void> => {
    sampledAt = count;
    const m = await target.memory?.();
    if (m === undefined) return;
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    process.stdout.write(
      `  ${name} server after ${count} inputs (GC'd): heap ${mb(m.heapUsed)} MiB, rss ${mb(m.rss)} MiB, external ${mb(m.external)} MiB\n`,
    );
  };
  await sample();
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(target.arbitrary, async (input) => {
        const t = performance.now();
        await target.check(input);
        slowest = Math.max(slowest, performance.now() - t);
        const before = count;
        count += target.inputsIn?.(input) ?? 1;
        if (Math.floor(count / sampleEvery) > Math.floor(before / sampleEvery)) await sample();
      }),
      {
        numRuns: Math.ceil(runs / (target.inputsIn === undefined ? 1 : REST_BATCH)),
        seed,
        endOnFailure: false,
        ...(maxSeconds !== undefined
          ? { interruptAfterTimeLimit: maxSeconds * 1000, markInterruptAsFailure: false }
          : {}),
      },
    );
  } catch (e) {
    failed = true;
    // fast-check 4 keeps the property's own error as the cause, not in the message.
    const cause = (e as Error).cause;
    const why = cause instanceof Error ? `\ncaused by: ${cause.stack ?? cause.message}` : '';
    process.stdout.write(`${name}: FAILED after ${count} inputs\n${(e as Error).message}${why}\n`);
  } finally {
    if (sampledAt !== count) await sample();
    await target.close?.();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${name.padEnd(18)}${String(count).padStart(8)}  ${seconds.toFixed(1).padStart(9)}  ${Math.round(
      count / seconds,
    )
      .toString()
      .padStart(
        8,
      )}  ${slowest.toFixed(1).padStart(10)}  ${before.toFixed(1)} → ${heapMb().toFixed(1)}\n`,
  );
}
if (resent.count > 0)
  process.stdout.write(
    `rest-api: ${resent.count} requests re-sent on a fresh connection (the server had closed the kept-alive one)\n`,
  );
process.exitCode = failed ? 1 : 0;
