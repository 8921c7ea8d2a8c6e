/**
 * The bounded share of the fuzzing of issue #17 (the long run, ≥ 1 M inputs per target, is
 * `bench/fuzz.ts`): each target of `fuzz-targets.ts` gets a few thousand generated and mutated
 * inputs, and each must end in a value, a dead letter or a clear error. Replay a failure with
 * the seed and path fast-check prints (`EDDY_FUZZ_SEED`).
 */
import { after, before, describe, it } from 'node:test';
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
} from './fuzz-targets.ts';

const seed = Number(process.env['EDDY_FUZZ_SEED'] ?? Date.now() % 1_000_000);

async function fuzz<T>(target: FuzzTarget<T>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(target.arbitrary, async (input) => {
      await target.check(input);
    }),
    { numRuns, seed },
  );
}

describe(`fuzzing (seed ${seed})`, { timeout: 240_000 }, () => {
  let checkpoint = '';
  before(async () => {
    checkpoint = await sampleCheckpoint();
  });
  it('the JSON decoder', () => fuzz(jsonTarget(), 2000));
  it('the Avro decoder', () => fuzz(avroTarget(), 2000));
  it('the Protobuf decoder', () => fuzz(protobufTarget(), 2000));
  it('the CLI flag parser', () => fuzz(cliFlagsTarget(), 2000));
  it('the checkpoint reader on mutated checkpoints', () =>
    fuzz(checkpointReaderTarget(checkpoint), 1000));
  it('eddy state on mutated checkpoint files', () => fuzz(stateCommandTarget(checkpoint), 300));
  describe('the REST API from its OpenAPI document', () => {
    let target: FuzzTarget<unknown> | undefined;
    after(async () => {
      await target?.close?.();
    });
    it('answers every generated request with a 2xx–4xx and the error body', async () => {
      target = (await restApiTarget()) as FuzzTarget<unknown>;
      await fuzz(target, 300);
    });
  });
});
