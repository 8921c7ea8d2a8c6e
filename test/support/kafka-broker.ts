/**
 * A real Kafka broker for integration tests.
 *
 * {@link ensureKafka} starts the single-node KRaft broker of `scripts/kafka.mjs` (once per
 * machine: the script's lock file makes concurrent starts from parallel test files safe) and
 * returns its bootstrap address, or — outside CI, when Java or Maven is missing — a reason to
 * skip. In CI (`CI=true`) a broker that cannot be started fails the tests loudly.
 *
 * @example
 * ```ts
 * const kafka = await ensureKafka();
 * describe('my kafka test', { skip: 'skip' in kafka ? kafka.skip : false }, () => {
 *   it('works', async () => {
 *     const { bootstrap } = kafka as KafkaBroker;
 *     const topic = await createTopic(bootstrap, uniqueName('orders'), 3);
 *   });
 * });
 * ```
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { Admin } from '@platformatic/kafka';
import { freePort } from './free-port.ts';
import { missingJavaTools, runServiceScript, type ServerSkip } from './java-service.ts';
import { waitFor } from './wait-for.ts';

/** A running broker. */
export interface KafkaBroker {
  /** `host:port` to pass as bootstrap broker. */
  readonly bootstrap: string;
}

/** Why Kafka tests are skipped on this machine, and how to enable them. */
export type KafkaSkip = ServerSkip;

let started: Promise<KafkaBroker | KafkaSkip> | undefined;

/** The bootstrap address `scripts/kafka.mjs` uses, from the same environment variables. */
export function defaultBootstrap(): string {
  return `127.0.0.1:${process.env.EDDY_KAFKA_PORT || '39092'}`;
}

/** Runs `node scripts/kafka.mjs <command>`; rejects with its output when it fails. */
export function runKafkaScript(
  command: 'start' | 'stop' | 'restart' | 'kill' | 'status',
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  return runServiceScript('kafka.mjs', command, env);
}

/** Why no broker can be started here (missing Java or Maven), or undefined; throws in CI. */
function missingPrerequisites(): KafkaSkip | undefined {
  return missingJavaTools(
    'Kafka tests',
    'run npm run kafka:start (or set EDDY_KAFKA_BOOTSTRAP to an existing broker)',
  );
}

async function start(): Promise<KafkaBroker | KafkaSkip> {
  const external = process.env.EDDY_KAFKA_BOOTSTRAP;
  if (external !== undefined && external !== '') return { bootstrap: external };
  const skip = missingPrerequisites();
  if (skip !== undefined) return skip;
  await runKafkaScript('start');
  return { bootstrap: defaultBootstrap() };
}

/** A broker of its own for one test file, which it may restart or stop without disturbing others. */
export interface PrivateKafkaBroker extends KafkaBroker {
  /** `node scripts/kafka.mjs restart` for this broker (stop, then start; keeps the data). */
  restart(): Promise<void>;
  /** SIGKILLs the broker (no clean shutdown), then starts it again on its data. */
  killAndStart(): Promise<void>;
  /** Stops the broker and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a second broker with its data in `dataDir`, for tests that restart or stop a broker
 * (the shared one of {@link ensureKafka} must stay up for the test files running at the same
 * time). It listens on `port` (controller on `port + 1`), or, without one, on ports free at the
 * start: a fixed port in the ephemeral range can be held by any client socket of the suite at
 * that moment (a CI run failed so, "Address already in use"). Skips like {@link ensureKafka};
 * ignores `EDDY_KAFKA_BOOTSTRAP`, since an external broker cannot be restarted.
 */
export async function startPrivateKafka(
  port: number | undefined,
  dataDir: string,
): Promise<PrivateKafkaBroker | KafkaSkip> {
  const skip = missingPrerequisites();
  if (skip !== undefined) return skip;
  const client = port ?? (await freePort());
  const controller = port !== undefined ? port + 1 : await freePort();
  const env = {
    EDDY_KAFKA_PORT: String(client),
    EDDY_KAFKA_CONTROLLER_PORT: String(controller),
    EDDY_KAFKA_DATA: dataDir,
  };
  await runKafkaScript('start', env);
  return {
    bootstrap: `127.0.0.1:${client}`,
    restart: async () => {
      await runKafkaScript('restart', env);
    },
    killAndStart: async () => {
      await runKafkaScript('kill', env);
      await runKafkaScript('start', env);
    },
    stop: async () => {
      await runKafkaScript('stop', env);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes sure a broker runs and returns its bootstrap address, or a skip reason outside CI when
 * Java or Maven is missing. Idempotent and safe to call from many test files at once; the
 * broker is left running for the other files (stop it with `npm run kafka:stop`).
 */
export function ensureKafka(): Promise<KafkaBroker | KafkaSkip> {
  started ??= start();
  return started;
}

/** Like {@link ensureKafka}, for code that already knows the tests are not skipped. */
export async function requireKafka(): Promise<KafkaBroker> {
  const kafka = await ensureKafka();
  if ('skip' in kafka) throw new Error(kafka.skip);
  return kafka;
}

let counter = 0;

/** A name unique to this process and call, usable as topic, group or transactional id. */
export function uniqueName(prefix: string): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${random}-${counter}`;
}

/** Runs `fn` with an Admin client that is closed afterwards. */
export async function withAdmin<T>(
  bootstrap: string,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = new Admin({ clientId: 'eddy-test-admin', bootstrapBrokers: [bootstrap] });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/**
 * Creates a topic with `partitions` partitions (one replica) and waits until every partition has
 * a leader in the broker's metadata, so producers and fetchers can use it at once.
 * Returns the topic's name.
 */
export async function createTopic(
  bootstrap: string,
  name: string,
  partitions: number,
  configs: Readonly<Record<string, string>> = {},
): Promise<string> {
  await withAdmin(bootstrap, async (admin) => {
    await admin.createTopics({
      topics: [name],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([configName, value]) => ({ name: configName, value })),
    });
    await waitFor(
      async () => {
        const metadata = await admin.metadata({ topics: [name], forceUpdate: true });
        const topic = metadata.topics.get(name);
        return (
          topic !== undefined &&
          topic.partitionsCount === partitions &&
          topic.partitions.every((partition) => partition.leader >= 0)
        );
      },
      {
        timeoutMs: 15_000,
        message: `topic ${name} has no leaders for its ${partitions} partitions`,
      },
    );
  });
  return name;
}

/** Deletes topics; missing topics are ignored. */
export async function deleteTopics(bootstrap: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await withAdmin(bootstrap, async (admin) => {
    try {
      await admin.deleteTopics({ topics: [...names] });
    } catch {
      // Best effort: a test's cleanup must not hide its real failure.
    }
  });
}
