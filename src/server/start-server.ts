/**
 * `eddy server`: opens the metadata store under the data directory, makes sure an admin token
 * exists (printed once, or taken from EDDY_TOKEN), opens its port, and then — together —
 * recovers what a previous server left and loads the HTTP API (see starting-port.ts for what a
 * client sees meanwhile).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { ObjectStorageOptions } from '../core/object-storage-options.ts';
import { openBlobStore } from '../storage/open-blob-store.ts';
import { ArtifactStore } from './artifacts/artifact-store.ts';
import { StartingPort } from './http/starting-port.ts';
import { ApplicationManager } from './lifecycle/application-manager.ts';
import { MetricsHistory, type MetricsHistoryOptions } from './metrics/metrics-history.ts';
import { MetricsSampler } from './metrics/metrics-sampler.ts';
import { DEFAULT_UNIT_MEMORY_MB, machineCapacityUnits } from './machine-capacity.ts';
import { ServerPaths } from './server-paths.ts';
import { ApplicationRepository } from './store/application-repository.ts';
import { ArtifactRepository } from './store/artifact-repository.ts';
import { HostRepository } from './store/host-repository.ts';
import { openMetadataStore, type Database } from './store/metadata-store.ts';
import { OperationRepository } from './store/operation-repository.ts';
import { SnapshotRepository } from './store/snapshot-repository.ts';
import { generateToken, TokenRepository } from './store/token-repository.ts';
import { RunSupervisor } from './supervisor/run-supervisor.ts';

/** How to start the server. */
export interface ServerOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** An admin token to create on a fresh data directory instead of a random one. */
  readonly bootstrapToken?: string | undefined;
  /** Resource units the machine offers (default: {@link machineCapacityUnits}). */
  readonly capacityUnits?: number | undefined;
  /** Memory of one unit in MiB (default 4096). */
  readonly unitMemoryMb?: number | undefined;
  /** Largest artifact upload in bytes (default 256 MiB). */
  readonly maxArtifactBytes?: number | undefined;
  /** How often the dashboard's metrics history is sampled and how long it is kept. */
  readonly metricsHistory?: MetricsHistoryOptions | undefined;
  /**
   * Where uploaded artifacts are kept: a directory or `s3://bucket/prefix` (default
   * `<dataDir>/artifacts`). On object storage, every machine of a later cluster reaches them.
   */
  readonly artifactStore?: string | undefined;
  /** Settings of S3-compatible object storage, for `s3://` locations. */
  readonly objectStorage?: ObjectStorageOptions | undefined;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  /** The admin token created on this start (a fresh data directory), to print once. */
  readonly bootstrapToken: string | undefined;
  /** Stops serving and kills the application processes (they restart with the next server). */
  close(): Promise<void>;
}

/** Starts the server. */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const paths = new ServerPaths(o.dataDir);
  mkdirSync(paths.root, { recursive: true });
  const db: Database = openMetadataStore(paths.database);
  const now = () => new Date().toISOString();
  const tokens = new TokenRepository(db);
  let bootstrapToken: string | undefined;
  if (tokens.liveCount() === 0) {
    bootstrapToken = o.bootstrapToken ?? generateToken();
    tokens.insert(
      `tok-${randomUUID().slice(0, 8)}`,
      'bootstrap-admin',
      'admin',
      bootstrapToken,
      now(),
    );
  }
  const unitMemoryMb = o.unitMemoryMb ?? DEFAULT_UNIT_MEMORY_MB;
  const artifactBlobs = await openBlobStore(o.artifactStore ?? paths.artifacts, {
    objectStorage: o.objectStorage,
    log: (m) => console.error(`artifact store: ${m}`),
  });
  const artifacts = new ArtifactStore(artifactBlobs, paths, new ArtifactRepository(db), now);
  const manager = new ApplicationManager({
    paths,
    applications: new ApplicationRepository(db),
    operations: new OperationRepository(db),
    snapshots: new SnapshotRepository(db),
    artifacts,
    unitMemoryMb,
    capacityUnits: o.capacityUnits ?? machineCapacityUnits(unitMemoryMb),
    savepointTimeoutMs: 120_000,
    now,
  });
  const supervisor = new RunSupervisor(new HostRepository(db), manager, now);
  manager.attach(supervisor);
  // The port opens first (a client gets 503 + Retry-After while the API loads, never
  // ECONNREFUSED); the recovery and the API's loading then go on together.
  const port = await StartingPort.open(o.host, o.port);
  const recovering = manager.recover();
  port.holdChangesDuring(recovering);
  const history = new MetricsHistory(o.metricsHistory ?? MetricsHistory.optionsFromEnv());
  const sampler = new MetricsSampler(manager, history);
  // Loaded after the port is open: fastify, its plugins, the routes' schemas and TypeBox are
  // most of the start-up time.
  const { buildHttpApi } = await import('./http/http-api.ts');
  const app = await buildHttpApi({
    applications: manager,
    artifacts,
    tokens,
    ...(o.maxArtifactBytes !== undefined && { maxArtifactBytes: o.maxArtifactBytes }),
    history,
    serverFactory: (handler) => {
      port.serve(handler);
      return port.server;
    },
  }).catch(async (e: unknown) => {
    await port.close();
    throw e;
  });
  await app.ready();
  // Requests reach fastify only once it is ready (serve() above merely keeps the handler).
  port.ready();
  void recovering.then(
    () => sampler.start(),
    (e: unknown) =>
      process.stderr.write(
        `eddy server: recovering the applications failed: ${e instanceof Error ? e.message : String(e)}\n`,
      ),
  );
  return {
    url: port.url,
    bootstrapToken,
    close: async () => {
      await app.close();
      await port.close();
      await recovering.catch(() => {});
      await sampler.stop();
      await supervisor.shutdown();
      await manager.drain();
      // Processes report their exit on the next turn of the event loop (host-process.ts); let
      // those reports reach the database before it closes.
      await new Promise((resolve) => setImmediate(resolve));
      await artifacts.close();
      db.close();
    },
  };
}
