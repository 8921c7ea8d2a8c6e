/**
 * Fuzzing of issue #17 at length: every target of `test/fuzz/fuzz-targets.ts` (the JSON, Avro
 * and Protobuf decoders, the CLI's flags, the checkpoint reader and `eddy state` on mutated
 * checkpoints, the REST API of `eddy server` from its OpenAPI document) gets `--runs` generated
 * and mutated inputs (default 1 000 000), each of which must end in a value, a dead letter or a
 * clear error. Prints, per target, the inputs run, the time, the slowest input and the heap
 * before and after (a target whose heap grows with the inputs leaks).
 *
 *   node --expose-gc --import tsx --conditions=eddy-source bench/fuzz.ts [--runs 1000000]
 *     [--targets json,avro,...] [--seed N]
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
  'rest-api': async () => (await restApiTarget()) as FuzzTarget<unknown>,
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
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(target.arbitrary, async (input) => {
        const t = performance.now();
        await target.check(input);
        slowest = Math.max(slowest, performance.now() - t);
        count++;
      }),
      { numRuns: runs, seed, endOnFailure: false },
    );
  } catch (e) {
    failed = true;
    // fast-check 4 keeps the property's own error as the cause, not in the message.
    const cause = (e as Error).cause;
    const why = cause instanceof Error ? `\ncaused by: ${cause.stack ?? cause.message}` : '';
    process.stdout.write(`${name}: FAILED after ${count} inputs\n${(e as Error).message}${why}\n`);
  } finally {
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
process.exitCode = failed ? 1 : 0;
