import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EVENT_KERNEL_WASM, KERNEL_BATCH } from './event-kernel.ts';
import type { GeneratorConfig } from './generator-config.ts';
import { createConfig, splitConfig } from './generator-config.ts';
import { NexmarkGenerator } from './nexmark-generator.ts';
import { referenceEvent } from './reference-event.ts';

test('the committed event-kernel.wasm is what assembly/event-kernel.ts compiles to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-kernel-'));
  try {
    const out = join(dir, 'event-kernel.wasm');
    const build = new URL('./build-kernel.mjs', import.meta.url).pathname;
    const result = spawnSync(process.execPath, [build, '--out', out], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(
      readFileSync(out).equals(readFileSync(EVENT_KERNEL_WASM)),
      'event-kernel.wasm is stale: run npm run build:nexmark-kernel and commit it',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every event of `config` from the kernel and from the TypeScript reference. */
function bothWays(config: GeneratorConfig): void {
  const generator = new NexmarkGenerator(config);
  for (let k = 0; generator.hasNext(); k++) {
    assert.deepStrictEqual(generator.next(), referenceEvent(config, k), `event ${k}`);
  }
}

test('property: the kernel draws every event as the TypeScript reference does', () => {
  fc.assert(
    fc.property(
      fc.record({
        events: fc.integer({ min: 1, max: 2 * KERNEL_BATCH + 17 }),
        seed: fc.integer({ min: 0, max: 0xffff }),
        // Up to 2^43: event ids past 2^32 exercise the 64-bit id arithmetic.
        firstEventId: fc.oneof(
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 0, max: 2 ** 43 }),
        ),
        eventsPerSecond: fc.constantFrom(0.0001, 0.002, 0.01, 0.37, 1, 10_000, 1e6, 3e7),
        parallelism: fc.integer({ min: 1, max: 4 }),
        split: fc.nat(3),
      }),
      (p) => {
        const base = {
          ...createConfig({ events: p.events, seed: p.seed, eventsPerSecond: p.eventsPerSecond }),
          firstEventId: p.firstEventId,
        };
        bothWays(splitConfig(base, p.parallelism)[p.split % p.parallelism] as GeneratorConfig);
      },
    ),
    { numRuns: 60 },
  );
});

test('auctions of a slow stream take the 64-bit branch of nextLong(random, n)', () => {
  // At 10^-4 events per second the auction horizon is ~1.7·10^10 ms: randLong's n passes 2^31.
  const config = createConfig({ events: 300, seed: 3, eventsPerSecond: 0.0001 });
  let long = 0;
  const generator = new NexmarkGenerator(config);
  for (let k = 0; generator.hasNext(); k++) {
    const event = generator.next();
    assert.deepStrictEqual(event, referenceEvent(config, k));
    if (event.auction !== null && event.auction.expires - event.dateTime > 2 ** 31) long++;
  }
  assert.ok(long > 0, 'no auction expired beyond 2^31 ms');
});
