/**
 * Soak: a stateful exactly-once Kafka job (`bench/soak-job.ts`: Kafka → keyed running count →
 * exactly-once Kafka, checkpoints every second, parallelism 2, run by `eddy run`) under a steady
 * input for a long time, SIGKILLed at seeded moments and restarted with the same checkpoint
 * directory (as a supervisor would), while its broker is restarted now and then. A kill waits
 * until the life completed a checkpoint (so every life makes progress, however loaded the
 * machine), except for a quarter of the lives, killed 0.5–4.5 s after their start (during
 * start-up, restore and the recovery commit). At the end a
 * `read_committed` reader must see, per key, the running counts 1..n exactly once, each paired
 * with the input record it counts (zero loss, zero duplicates), and the job process's resident
 * memory and open file descriptors must not grow from life to life.
 *
 * Run (figures and a chart go to bench/results/soak-<time>.json|.svg):
 *
 *   node --import tsx --conditions=eddy-source bench/soak.ts [--minutes 30] [--kills 100]
 *     [--broker-restarts 5] [--kill-broker] [--rate 200] [--seed N]
 *
 * The broker is a private one (`EDDY_KAFKA_SOAK_PORT`, default EDDY_KAFKA_PORT + 300) with its
 * own data directory, so restarting it disturbs no other test. (A short variant for the test suite
 * is in progress on the reliability branch.)
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PlatformaticKafkaClient, type ProducerRecord } from '../src/connectors/kafka/index.ts';
import { createTopic, startPrivateKafka, uniqueName } from '../test/support/kafka-broker.ts';
import { readAll } from '../test/kafka/kafka-support.ts';
import { newestCheckpoint, prng, sleep } from '../test/support/kill-loop.ts';
import {
  expectedCountLines,
  type CountRecord,
  type InputRecord,
} from '../test/support/running-count.ts';
import { lineChart } from './charts/line-chart.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What to run. */
export interface SoakOptions {
  readonly durationMs: number;
  readonly kills: number;
  readonly brokerRestarts: number;
  /** How the broker goes down: stopped (SIGTERM, a clean shutdown) or SIGKILLed. */
  readonly brokerFault?: 'restart' | 'kill';
  readonly seed: number;
  /** Input records per second. */
  readonly ratePerSecond: number;
  /**
   * Port of the private broker (its controller takes the next one); undefined: two free ports
   * (a fixed port in the ephemeral range can be held by any client socket).
   */
  readonly port?: number | undefined;
  /**
   * Go on past `durationMs` until every kill happened (tests); otherwise the soak ends on time
   * with the kills it managed (each kill waits for the life to complete a checkpoint first, so a
   * loaded machine manages fewer).
   */
  readonly completeKills?: boolean;
  /**
   * Go on past `durationMs` until this many input records are in the topic (tests): a loaded
   * machine sends fewer per second, and the test must then take longer, not fail.
   */
  readonly minInputRecords?: number;
  /** Ends the soak early (then it verifies what ran), e.g. on SIGINT. */
  readonly stop?: AbortSignal;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** One resource sample of the job process. */
export interface SoakSample {
  /** Milliseconds since the soak started. */
  readonly t: number;
  /** Which life of the job (0 = the first run). */
  readonly life: number;
  /** Milliseconds since this life started. */
  readonly age: number;
  readonly rssMb: number;
  readonly fds: number;
}

/** What the soak found. */
export interface SoakResult {
  readonly seed: number;
  readonly durationMs: number;
  readonly kills: number;
  readonly brokerRestarts: number;
  /** Lives that exited by themselves with an error (restarted like a killed one). */
  readonly unexpectedExits: number;
  /** Lives that restored a checkpoint. */
  readonly restores: number;
  /** In-process restarts by the restart strategy (broker restarts). */
  readonly inProcessRestarts: number;
  readonly inputRecords: number;
  readonly outputRecords: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly unexpected: number;
  /** How long each killed life lived (it is killed once it completed a checkpoint). */
  readonly lifeSeconds: readonly number[];
  /** Checkpoint directories left at the end (retention keeps a few). */
  readonly checkpointsLeft: number;
  /** Medians over the lives of their last sample at ≥ 8 s of age: first quarter, last quarter. */
  readonly rssMb: { readonly firstLives: number; readonly lastLives: number };
  readonly fds: { readonly firstLives: number; readonly lastLives: number };
  readonly samples: readonly SoakSample[];
  readonly killTimes: readonly number[];
  readonly brokerRestartTimes: readonly number[];
}

const KEYS = 32;
const INPUT_PARTITIONS = 4;

/** Resident memory (MiB) and open descriptors of `pid`, or undefined once it is gone. */
function probe(pid: number): { rssMb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    // A process being killed (a zombie) has no VmRSS and no descriptors: not a sample.
    if (kb === undefined || fds === 0) return undefined;
    return { rssMb: Number(kb) / 1024, fds };
  } catch {
    return undefined;
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Seeded moments in (from, to) of the soak, ascending. */
function moments(n: number, from: number, to: number, random: () => number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((i + 0.2 + random() * 0.6) / n) * (to - from));
}

/** Runs the soak; throws when the broker cannot be started. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const random = prng(o.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-soak-kafka-'));
  const kafka = await startPrivateKafka(o.port, dataDir);
  if ('skip' in kafka) throw new Error(kafka.skip);
  const work = mkdtempSync(join(tmpdir(), 'eddy-soak-'));
  try {
    const { bootstrap } = kafka;
    const input = await createTopic(bootstrap, uniqueName('soak-in'), INPUT_PARTITIONS);
    const output = await createTopic(bootstrap, uniqueName('soak-out'), 2);
    const txnPrefix = uniqueName('soak-txn');
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;

    // The input: a steady stream of `{ key, seq }`, a key's records in one partition. Sends
    // are retried through broker restarts; a batch resent after an unclear failure may land
    // twice — the expected output is computed from the input as it is in the topic.
    let producing = true;
    let seq = 0;
    let sentRecords = 0;
    const producer = (async () => {
      let client: PlatformaticKafkaClient | undefined;
      let p: ReturnType<PlatformaticKafkaClient['createIdempotentProducer']> | undefined;
      let pending: ProducerRecord[] = [];
      while (producing || pending.length > 0) {
        if (pending.length === 0) {
          const n = Math.max(1, Math.round(o.ratePerSecond / 10));
          for (let i = 0; i < n; i++) {
            const k = Math.floor(random() * KEYS);
            const value: InputRecord = { key: `k${k}`, seq: seq++ };
            pending.push({
              topic: input,
              partition: k % INPUT_PARTITIONS,
              key: Buffer.from(value.key),
              value: Buffer.from(JSON.stringify(value)),
            });
          }
        }
        try {
          client ??= new PlatformaticKafkaClient({
            bootstrapBrokers: [bootstrap],
            clientId: 'soak-producer',
          });
          const fresh = p === undefined;
          p ??= client.createIdempotentProducer();
          // A send can hang while the broker is away: give up after 10 s and reconnect. A new
          // producer's first flush starts its worker thread and gets a producer id, which takes
          // 7 s on a loaded 2-core machine: given 10 s, it timed out, reconnected and started
          // over, and the input stalled at its first batch for the whole soak.
          const live = p;
          const batch = pending;
          const sent = (async () => {
            await live.send(batch);
            await live.flush();
          })();
          sent.catch(() => {});
          await Promise.race([
            sent,
            sleep(fresh ? 60_000 : 10_000).then(() => {
              throw new Error('send timed out');
            }),
          ]);
          sentRecords += batch.length;
          pending = [];
          await sleep(100);
        } catch {
          await p?.close().catch(() => {});
          await client?.close().catch(() => {});
          p = undefined;
          client = undefined;
          await sleep(500);
        }
      }
      await p?.close().catch(() => {});
      await client?.close().catch(() => {});
    })();

    const killTimes = moments(o.kills, 0.02 * o.durationMs, 0.92 * o.durationMs, random);
    const restartTimes = moments(
      o.brokerRestarts,
      0.05 * o.durationMs,
      0.85 * o.durationMs,
      random,
    );
    const samples: SoakSample[] = [];
    const brokerRestartTimes: number[] = [];
    let restores = 0;
    let inProcessRestarts = 0;
    let unexpectedExits = 0;
    let life = -1;

    interface Life {
      readonly child: ChildProcess;
      readonly exit: Promise<number | null>;
      readonly startedAt: number;
      readonly checkpointAtStart: number;
      /** Killed this many ms after its start, whatever it did (during start-up, restore). */
      readonly earlyKillMs: number | undefined;
      stderr: string;
    }
    const chk = join(work, 'chk');
    const startLife = (): Life => {
      life++;
      const child = spawn(
        process.execPath,
        [
          'bin/eddy.js',
          'run',
          'bench/soak-job.ts',
          '--checkpoint-interval',
          '1s',
          '--checkpoint-dir',
          chk,
          '--quiet',
          '--no-progress',
        ],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
          env: {
            ...process.env,
            SOAK_BOOTSTRAP: bootstrap,
            SOAK_INPUT: input,
            SOAK_OUTPUT: output,
            SOAK_TXN_PREFIX: txnPrefix,
          },
        },
      );
      const l: Life = {
        child,
        startedAt: elapsed(),
        checkpointAtStart: newestCheckpoint(work),
        // A quarter of the lives die young: during start-up, restore and the recovery commit.
        earlyKillMs: random() < 0.25 ? 500 + random() * 4000 : undefined,
        stderr: '',
        exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
      };
      child.stderr?.on('data', (d: Buffer) => {
        const text = d.toString();
        l.stderr = (l.stderr + text).slice(-8000);
        if (text.includes('restoring from')) restores++;
        inProcessRestarts += text.split('restarting in').length - 1;
      });
      return l;
    };

    let current = startLife();
    let currentLife = life;
    const sampler = setInterval(() => {
      const pid = current.child.pid;
      if (pid === undefined || current.child.exitCode !== null) return;
      const s = probe(pid);
      if (s !== undefined)
        samples.push({
          t: Math.round(elapsed()),
          life: currentLife,
          age: Math.round(elapsed() - current.startedAt),
          ...s,
        });
    }, 1000);

    let kills = 0;
    let brokerBusy: Promise<void> = Promise.resolve();
    let restartsDone = 0;
    let lastReport = 0;
    const lifeSeconds: number[] = [];
    const more = (): boolean =>
      o.stop?.aborted !== true &&
      (elapsed() < o.durationMs ||
        (o.completeKills === true && kills < o.kills) ||
        sentRecords < (o.minInputRecords ?? 0));
    while (more()) {
      if (
        restartsDone < restartTimes.length &&
        elapsed() >= (restartTimes[restartsDone] as number)
      ) {
        restartsDone++;
        const at = elapsed();
        brokerRestartTimes.push(Math.round(at));
        const kill = o.brokerFault === 'kill';
        o.log(
          `${(at / 1000).toFixed(0)} s: ${kill ? 'SIGKILLing' : 'restarting'} the broker (${restartsDone}/${o.brokerRestarts})`,
        );
        brokerBusy = brokerBusy.then(() => (kill ? kafka.killAndStart() : kafka.restart()));
      }
      if (current.child.exitCode !== null) {
        unexpectedExits++;
        o.log(
          `life ${currentLife} exited by itself (${current.child.exitCode}):\n${current.stderr.slice(-2000)}`,
        );
        current = startLife();
        currentLife = life;
      } else if (
        kills < o.kills &&
        elapsed() >= (killTimes[kills] ?? 0) &&
        (current.earlyKillMs !== undefined
          ? elapsed() - current.startedAt >= current.earlyKillMs
          : newestCheckpoint(work) > current.checkpointAtStart)
      ) {
        current.child.kill('SIGKILL');
        await current.exit;
        kills++;
        lifeSeconds.push(Math.round((elapsed() - current.startedAt) / 100) / 10);
        current = startLife();
        currentLife = life;
      }
      if (elapsed() - lastReport > 60_000) {
        lastReport = elapsed();
        o.log(
          `${(elapsed() / 1000).toFixed(0)} s: ${kills} kills, ${restartsDone} broker restarts, ${seq} records in, life ${currentLife}`,
        );
      }
      await sleep(50);
    }
    await brokerBusy;
    producing = false;
    await producer;
    o.log(
      `${(elapsed() / 1000).toFixed(0)} s: input stopped at ${seq} records; waiting for the job to catch up`,
    );

    // The last life runs until every input record has its committed output.
    const ends = async (topic: string, isolation: 'read_committed' | 'read_uncommitted') => {
      const client = new PlatformaticKafkaClient({
        bootstrapBrokers: [bootstrap],
        clientId: 'soak-probe',
      });
      try {
        const parts = await client.listPartitions({ topics: [topic] });
        return (await client.listOffsets(parts, 'latest', isolation)).reduce(
          (n, e) => n + e.offset,
          0,
        );
      } finally {
        await client.close();
      }
    };
    const inputCount = await ends(input, 'read_uncommitted');
    const deadline = performance.now() + 10 * 60_000;
    for (;;) {
      if (current.child.exitCode !== null) {
        unexpectedExits++;
        o.log(`life ${currentLife} exited by itself:\n${current.stderr.slice(-2000)}`);
        current = startLife();
        currentLife = life;
      }
      // Output offsets include transaction markers (so they run ahead): count the records
      // themselves once the offsets say they may be there.
      const offsets = await ends(output, 'read_committed').catch(() => 0);
      const committed =
        offsets >= inputCount ? (await readAll(bootstrap, output, 'read_committed')).length : 0;
      if (committed >= inputCount || performance.now() > deadline) break;
      await sleep(1000);
    }
    // Not the final life's shutdown: its samples end where it stops being a running job.
    clearInterval(sampler);
    current.child.kill('SIGTERM');
    await current.exit;

    const inputs = (await readAll(bootstrap, input, 'read_uncommitted'))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((r) => JSON.parse(String(r.value)) as InputRecord);
    const expected = expectedCountLines(inputs);
    const actual = (await readAll(bootstrap, output, 'read_committed')).map((r) => {
      const { key, count, seq: s } = JSON.parse(String(r.value)) as CountRecord;
      return `${key} ${count} ${s}`;
    });
    const seen = new Set<string>();
    let duplicates = 0;
    for (const line of actual)
      if (seen.has(line)) duplicates++;
      else seen.add(line);
    const expectedSet = new Set(expected);
    const missing = expected.filter((l) => !seen.has(l)).length;
    const unexpected = [...seen].filter((l) => !expectedSet.has(l)).length;

    // Per life, its last sample once warm (≥ 8 s): a leak shows as growth from life to life.
    const lastOfLife = new Map<number, SoakSample>();
    for (const s of samples) if (s.age >= 8000) lastOfLife.set(s.life, s);
    const lives = [...lastOfLife.values()];
    const quarter = Math.max(1, Math.floor(lives.length / 4));
    const first = lives.slice(0, quarter);
    const last = lives.slice(-quarter);
    return {
      seed: o.seed,
      durationMs: Math.round(elapsed()),
      kills,
      brokerRestarts: restartsDone,
      unexpectedExits,
      restores,
      inProcessRestarts,
      inputRecords: inputs.length,
      outputRecords: actual.length,
      duplicates,
      missing,
      unexpected,
      lifeSeconds,
      checkpointsLeft: readdirSync(chk).filter((n) => n.startsWith('chk-')).length,
      rssMb: {
        firstLives: median(first.map((s) => s.rssMb)),
        lastLives: median(last.map((s) => s.rssMb)),
      },
      fds: {
        firstLives: median(first.map((s) => s.fds)),
        lastLives: median(last.map((s) => s.fds)),
      },
      samples,
      killTimes: killTimes.slice(0, kills).map(Math.round),
      brokerRestartTimes,
    };
  } finally {
    await kafka.stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}

/** The chart of a result: RSS and open descriptors over time, kills and broker restarts marked. */
export function soakChart(r: SoakResult): string {
  return lineChart({
    title: `Soak: ${r.kills} SIGKILLs, ${r.brokerRestarts} broker restarts, ${(r.durationMs / 60_000).toFixed(1)} min; ${r.inputRecords} records, ${r.duplicates} duplicates, ${r.missing} missing`,
    xLabel: (x) => `${(x / 60_000).toFixed(1)} min`,
    series: [
      {
        name: 'RSS (MiB)',
        color: '#1f77b4',
        points: r.samples.map((s) => [s.t, s.rssMb]),
        format: (v) => `${v.toFixed(0)} MiB`,
      },
      {
        name: 'open fds',
        color: '#ff7f0e',
        points: r.samples.map((s) => [s.t, s.fds]),
        format: (v) => v.toFixed(0),
      },
    ],
    markers: [
      ...r.killTimes.map((x) => ({ x, color: '#d62728' })),
      ...r.brokerRestartTimes.map((x) => ({ x, color: '#2ca02c' })),
    ],
    markerLegend: [
      { name: 'SIGKILL', color: '#d62728' },
      { name: 'broker restart', color: '#2ca02c' },
    ],
  });
}

/** The default port of the soak's private broker. */
export function soakPort(offset = 300): number {
  const env = process.env['EDDY_KAFKA_SOAK_PORT'];
  if (env !== undefined && env !== '') return Number(env);
  return Number(process.env['EDDY_KAFKA_PORT'] || 39092) + offset;
}

const SOAK_USAGE = `Usage: node --import tsx --conditions=eddy-source bench/soak.ts [options]

Runs the exactly-once Kafka soak job (a private broker on EDDY_KAFKA_SOAK_PORT), SIGKILLs it at
seeded moments and restarts its broker, then verifies zero loss and zero duplicates. Figures and
a chart go to bench/results/soak-<time>.json|svg; exit 1 when anything was lost or duplicated.

  --minutes N          how long the input runs (default 30)
  --kills N            SIGKILLs of the job, spread over the run (default 100)
  --broker-restarts N  broker restarts (default 5)
  --kill-broker        SIGKILL the broker instead of stopping it cleanly
  --rate N             input records per second (default 200)
  --seed N             the seed of the kill and restart moments (default: from the clock)
  -h, --help           this text
`;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // SIGINT/SIGTERM end the soak early: it stops the input, lets the job catch up, verifies.
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  // A wrong flag is answered by what is wrong and the usage (exit 2).
  const flags = (() => {
    try {
      return parseArgs({
        strict: true,
        options: {
          minutes: { type: 'string', default: '30' },
          kills: { type: 'string', default: '100' },
          'broker-restarts': { type: 'string', default: '5' },
          'kill-broker': { type: 'boolean', default: false },
          rate: { type: 'string', default: '200' },
          seed: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values;
    } catch (e) {
      process.stderr.write(`soak: ${(e as Error).message}\n${SOAK_USAGE}`);
      process.exit(2);
    }
  })();
  if (flags.help) {
    process.stdout.write(SOAK_USAGE);
    process.exit(0);
  }
  const num = (name: string, value: string | undefined, fallback: number): number => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isFinite(n) || n < 0) {
      process.stderr.write(`soak: --${name} wants a number ≥ 0, not "${value}"\n${SOAK_USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const options: SoakOptions = {
    durationMs: num('minutes', flags.minutes, 30) * 60_000,
    kills: num('kills', flags.kills, 100),
    brokerRestarts: num('broker-restarts', flags['broker-restarts'], 5),
    brokerFault: flags['kill-broker'] ? 'kill' : 'restart',
    seed: num('seed', flags.seed, Date.now() % 100_000),
    ratePerSecond: num('rate', flags.rate, 200),
    port: soakPort(),
    log: (line) => process.stderr.write(`soak: ${line}\n`),
    stop: stop.signal,
  };
  options.log(
    `seed ${options.seed}, ${options.durationMs / 60_000} min, ${options.kills} kills, ${options.brokerRestarts} broker restarts`,
  );
  const result = await runSoak(options);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(root, 'bench', 'results', `soak-${stamp}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(`${out}.svg`, soakChart(result));
  const { samples: _s, killTimes: _k, brokerRestartTimes: _b, ...summary } = result;
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwritten: ${out}.json, ${out}.svg\n`);
  process.exitCode = result.duplicates + result.missing + result.unexpected === 0 ? 0 : 1;
}
