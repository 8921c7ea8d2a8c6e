/**
 * The exactly-once kill test on Kafka: the Kafka → keyed running count → Kafka job of
 * `fixtures/kafka-kill-job.ts` (exactly-once sink, checkpoints every 100 ms) runs as a child
 * process and is SIGKILLed at seeded random moments (at least 10 times), restarted each time
 * with the same checkpoint directory and transactional-id prefix. At the end a `read_committed`
 * consumer of the output topic must see, per key, the running counts 1..n exactly once, each
 * paired with the input record it counts — what the input alone implies.
 *
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs exactly-once-kill`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ProducerRecord } from '../../src/connectors/kafka/index.ts';
import { createTopic, deleteTopics, ensureKafka, uniqueName } from '../support/kafka-broker.ts';
import type { CountRecord, InputRecord } from './fixtures/kafka-kill-job.ts';
import { produce, readAll } from './kafka-support.ts';
import {
  KILL_SEED as SEED,
  assertEachOnce,
  newestCheckpoint,
  prng,
  sleep,
} from '../support/kill-loop.ts';
import { expectedCountLines } from '../support/running-count.ts';

const KILLS = 10;
const RECORDS = 7000;
const KEYS = 16;
const fixture = new URL('./fixtures/kafka-kill-job.ts', import.meta.url).pathname;

const kafka = await ensureKafka();
const skip = 'skip' in kafka ? kafka.skip : false;
const bootstrap = 'bootstrap' in kafka ? kafka.bootstrap : '';

/** Keyed input: a key's records all go to one partition (of 2), so their order is defined. */
function inputRecords(topic: string, random: () => number): ProducerRecord[] {
  return Array.from({ length: RECORDS }, (_, seq) => {
    const k = Math.floor(random() * KEYS);
    const value: InputRecord = { key: `k${k}`, seq };
    return {
      topic,
      partition: k % 2,
      key: Buffer.from(value.key),
      value: Buffer.from(JSON.stringify(value)),
      // No old timestamps: the sink keeps them, and the broker's retention would delete the
      // output's segments (7 days by event time) while the test reads them.
    };
  });
}

/** The output the input implies: per key, counts 1..n in the order of the key's records. */
function expectedOutput(records: readonly ProducerRecord[]): string[] {
  return expectedCountLines(records.map((r) => JSON.parse(String(r.value)) as InputRecord));
}

describe('Kafka exactly-once under SIGKILL', { skip }, () => {
  const topics: string[] = [];
  const dirs: string[] = [];
  after(async () => {
    await deleteTopics(bootstrap, topics);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test(`SIGKILL ${KILLS}+ times: read_committed sees every count exactly once (seed ${SEED})`, async (t) => {
    const random = prng(SEED);
    const input = await createTopic(bootstrap, uniqueName('kill-in'), 2);
    const output = await createTopic(bootstrap, uniqueName('kill-out'), 2);
    topics.push(input, output);
    const records = inputRecords(input, random);
    await produce(bootstrap, records);
    const dir = mkdtempSync(join(tmpdir(), 'eddy-kafka-kill-'));
    dirs.push(dir);
    const prefix = uniqueName('kill-txn');
    let restores = 0;

    const start = (): { child: ChildProcess; exit: Promise<number | null> } => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fixture, bootstrap, input, output, dir, prefix],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        const text = d.toString();
        stderr += text;
        if (text.includes('restoring from')) restores++;
      });
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (code, signal) => {
          if (code !== 0 && signal === null) process.stderr.write(stderr);
          resolve(code);
        }),
      );
      return { child, exit };
    };

    const startedAt = Date.now();
    let kills = 0;
    // Early kills (during start-up) may restore nothing yet: only kills after progress count.
    let killsAfterProgress = 0;
    for (;;) {
      const { child, exit } = start();
      if (killsAfterProgress >= KILLS) {
        assert.equal(await exit, 0, `seed ${SEED}: the last run must finish`);
        break;
      }
      // Mostly kill after the run completed a new checkpoint (so every life makes progress,
      // however slow the machine): before, during or after a transaction's commit; now and then
      // early, during start-up, restore and the recovery commit.
      let first: number | null | 'kill';
      const early = random() < 0.15;
      if (early) {
        first = await Promise.race([exit, sleep(random() * 1500).then(() => 'kill' as const)]);
      } else {
        const target = newestCheckpoint(dir) + 1;
        const progressed = (async () => {
          while (newestCheckpoint(dir) < target) await sleep(10);
          await sleep(random() * 80);
          return 'kill' as const;
        })();
        first = await Promise.race([exit, progressed]);
      }
      if (first !== 'kill') {
        assert.fail(`seed ${SEED}: the job finished after only ${kills} kills; make it longer`);
      }
      child.kill('SIGKILL');
      await exit;
      kills++;
      if (!early) killsAfterProgress++;
    }
    t.diagnostic(
      `seed ${SEED}: ${kills} kills, ${restores} restores, ${Date.now() - startedAt} ms`,
    );
    // Progress must come from checkpoints, not from one lucky run from scratch.
    assert.ok(restores >= KILLS / 2, `seed ${SEED}: only ${restores} runs restored a checkpoint`);

    const expected = expectedOutput(records);
    const actual = (await readAll(bootstrap, output))
      .map((r) => {
        const { key, count, seq } = JSON.parse(String(r.value)) as CountRecord;
        return `${key} ${count} ${seq}`;
      })
      .sort();
    assertEachOnce(actual, expected, SEED);
  });
});
