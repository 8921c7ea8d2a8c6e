/**
 * The soak of `bench/soak.ts`, short: the stateful exactly-once Kafka job runs under a steady
 * input (at least 1000 records) for about a minute while it is SIGKILLed 3 times (seeded) and its
 * broker restarted once; a `read_committed` reader must then see every input record's running
 * count exactly once, and the job's RSS and open file descriptors must stay bounded. The 30-minute run with 100
 * kills and 5 broker restarts is `node --import tsx --conditions=eddy-source bench/soak.ts`.
 *
 * Replay a failure with `EDDY_KILL_SEED=<seed> node scripts/run-tests.mjs test/soak`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSoak, soakPort } from '../../bench/soak.ts';
import { KILL_SEED } from '../support/kill-loop.ts';
import { missingJavaTools } from '../support/java-service.ts';

const missing = missingJavaTools('the soak', 'run it again');

test(
  `soak, short: 3 SIGKILLs and a broker restart, every count exactly once (seed ${KILL_SEED})`,
  // Timed on the 2-core machine at a load average of 20–33 (docs/reliability.md): 2.8–3.8
  // minutes, most of it each life's start-up; it runs in the suite (CI has 90 minutes).
  // EDDY_SOAK_TEST=0 leaves it out of a local run.
  {
    skip:
      missing?.skip ??
      (process.env['EDDY_SOAK_TEST'] === '0'
        ? 'EDDY_SOAK_TEST=0 leaves out the short soak'
        : false),
    timeout: 600_000,
  },
  async (t) => {
    const r = await runSoak({
      durationMs: 45_000,
      kills: 3,
      brokerRestarts: 1,
      brokerFault: 'restart',
      completeKills: true,
      minInputRecords: 1000,
      seed: KILL_SEED,
      ratePerSecond: 200,
      // Free ports unless pinned: a fixed one (39492) was once held by another socket (CI red).
      port: process.env['EDDY_KAFKA_SOAK_PORT'] ? soakPort() : undefined,
      log: (line) => t.diagnostic(line),
    });
    const { samples: _s, ...summary } = r;
    t.diagnostic(JSON.stringify(summary));
    assert.equal(r.kills, 3);
    assert.ok(r.inputRecords >= 1000, `input: ${r.inputRecords}`);
    assert.deepEqual(
      { duplicates: r.duplicates, missing: r.missing, unexpected: r.unexpected },
      { duplicates: 0, missing: 0, unexpected: 0 },
      `seed ${r.seed}`,
    );
    assert.equal(r.outputRecords, r.inputRecords);
    assert.ok(r.restores >= 2, `only ${r.restores} lives restored a checkpoint`);
    assert.equal(r.unexpectedExits, 0);
    // Bounded resources: every sample of every life under 1 GiB of RSS (a life runs at about
    // 450 MiB: worker threads, tsx, the Kafka client) and 256 open descriptors (about 80).
    assert.ok(r.samples.length > 0, 'the job was sampled');
    const maxRss = Math.max(...r.samples.map((s) => s.rssMb));
    const maxFds = Math.max(...r.samples.map((s) => s.fds));
    assert.ok(maxRss < 1024, `RSS reached ${maxRss.toFixed(0)} MiB`);
    assert.ok(maxFds < 256, `${maxFds} open descriptors`);
    // Retention keeps one checkpoint; nothing piles up across lives.
    assert.ok(r.checkpointsLeft <= 2, `${r.checkpointsLeft} checkpoints left`);
  },
);
