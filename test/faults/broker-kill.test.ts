/**
 * Fault injection: the Kafka broker is SIGKILLed — no clean shutdown, so transactions are left
 * open mid-flight and the log may end in unflushed batches — while the stateful exactly-once
 * job (`bench/soak-job.ts`: Kafka → keyed running count → exactly-once Kafka, checkpoints every
 * second) runs under a steady input; the broker then starts again on its data. Twice, plus one
 * SIGKILL of the job itself. A `read_committed` reader must see every input record's running
 * count exactly once. (A clean broker restart is in test/kafka/broker-restart.test.ts and the
 * soak.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSoak, soakPort } from '../../bench/soak.ts';
import { KILL_SEED } from '../support/kill-loop.ts';
import { missingJavaTools } from '../support/java-service.ts';

const missing = missingJavaTools('the broker-kill test', 'run it again');

test(
  `the broker SIGKILLed mid-transaction twice: every count exactly once (seed ${KILL_SEED})`,
  { skip: missing?.skip ?? false, timeout: 600_000 },
  async (t) => {
    const r = await runSoak({
      durationMs: 40_000,
      kills: 1,
      brokerRestarts: 2,
      brokerFault: 'kill',
      completeKills: true,
      // A loaded machine feeds slowly while the broker is away: run until enough input is in
      // rather than fail the health check below (exactly-once is what this test is about).
      minInputRecords: 1100,
      seed: KILL_SEED,
      ratePerSecond: 200,
      port: soakPort(500),
      log: (line) => t.diagnostic(line),
    });
    const { samples: _s, ...summary } = r;
    t.diagnostic(JSON.stringify(summary));
    assert.equal(r.brokerRestarts, 2);
    assert.ok(r.inputRecords > 1000, `input: ${r.inputRecords}`);
    assert.deepEqual(
      { duplicates: r.duplicates, missing: r.missing, unexpected: r.unexpected },
      { duplicates: 0, missing: 0, unexpected: 0 },
      `seed ${r.seed}`,
    );
    assert.equal(r.outputRecords, r.inputRecords);
  },
);
