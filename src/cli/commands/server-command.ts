/**
 * `eddy server`: the control plane (see docs/guides/platform.md).
 *
 * @module
 */
import { availableParallelism, totalmem } from 'node:os';
import { DEFAULT_UNIT_MEMORY_MB, machineCapacityUnits } from '../../server/machine-capacity.ts';
import { usageError } from '../cli-error.ts';
import { objectStorageFlags, s3EndpointFlag } from '../object-storage-flags.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';

const serverFlags: readonly FlagSpec[] = [
  {
    name: 'data-dir',
    type: 'string',
    placeholder: '<dir>',
    description: 'where metadata, artifacts, checkpoints and logs live (default ./.eddy)',
  },
  {
    name: 'host',
    type: 'string',
    placeholder: '<addr>',
    description: 'address to bind (default 127.0.0.1)',
  },
  {
    name: 'port',
    type: 'number',
    placeholder: '<n>',
    description: 'port to listen on (default 8081; 0 picks a free one)',
  },
  {
    name: 'capacity-units',
    type: 'number',
    placeholder: '<n>',
    // The figure start-server.ts computes (machineCapacityUnits), named with this machine's.
    description:
      'resource units the machine offers (default: min(cores, total memory / --unit-memory-mb), ' +
      `rounded down to 1/8, at least 1/8; here ${machineCapacityUnits(DEFAULT_UNIT_MEMORY_MB)}: ` +
      `${availableParallelism()} cores, ${Math.round(totalmem() / 1048576)} MiB of memory)`,
  },
  {
    name: 'unit-memory-mb',
    type: 'number',
    placeholder: '<n>',
    description: `memory of one resource unit in MiB (default ${DEFAULT_UNIT_MEMORY_MB})`,
  },
  {
    name: 'max-artifact-mb',
    type: 'number',
    placeholder: '<n>',
    description: 'largest artifact upload in MiB (default 256)',
  },
  {
    name: 'artifact-store',
    type: 'string',
    placeholder: '<dir|s3://bucket/prefix>',
    description: 'where uploaded artifacts are kept (default <data-dir>/artifacts)',
  },
  s3EndpointFlag,
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/** `eddy server --help`. */
export const serverHelp = `Usage: eddy server [flags]
       eddy server token create|list|revoke …   (API tokens; eddy server token --help)

Runs the control plane: an HTTP API (GET /v1/openapi.json describes it) to upload artifacts and
create, start, stop, snapshot, update and roll back applications, each running in its own
process. On a fresh data directory it prints an admin API token once (or uses EDDY_TOKEN).
It prints "eddy server listening on <url>" when ready. Ctrl-C stops it; applications that were
running start again, from their latest checkpoints, with the next server.

Flags:
${formatFlags(serverFlags)}

Environment:
  EDDY_TOKEN   the admin token to create on a fresh data directory
  AWS_*        credentials and region for s3:// locations (the standard AWS chain)`;

/** `eddy server`. */
export async function serverCommand(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'token') {
    const { serverTokenCommand } = await import('./server-token-command.ts');
    return serverTokenCommand(argv.slice(1));
  }
  const { flags, positionals } = parseFlags(argv, serverFlags, 'server');
  if (flags['help'] === true) {
    console.log(serverHelp);
    return 0;
  }
  if (positionals.length > 0) {
    throw usageError(
      `eddy server takes no arguments (got "${positionals[0]}")`,
      'eddy server --help lists its flags',
    );
  }
  const port = (flags['port'] as number | undefined) ?? 8081;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(
      `--port must be an integer from 0 to 65535 (got ${port})`,
      'for example --port 8081',
    );
  }
  const maxArtifactMb = flags['max-artifact-mb'] as number | undefined;
  if (maxArtifactMb !== undefined && !(maxArtifactMb > 0)) {
    throw usageError(`--max-artifact-mb must be positive (got ${maxArtifactMb})`);
  }
  // Loaded here: `eddy server token` and `eddy server --help` need no HTTP server.
  const { startServer } = await import('../../server/start-server.ts');
  const server = await startServer({
    dataDir: (flags['data-dir'] as string | undefined) ?? './.eddy',
    host: (flags['host'] as string | undefined) ?? '127.0.0.1',
    port,
    bootstrapToken: process.env['EDDY_TOKEN'],
    capacityUnits: flags['capacity-units'] as number | undefined,
    unitMemoryMb: flags['unit-memory-mb'] as number | undefined,
    maxArtifactBytes:
      maxArtifactMb === undefined ? undefined : Math.round(maxArtifactMb * 1024 * 1024),
    artifactStore: flags['artifact-store'] as string | undefined,
    objectStorage: objectStorageFlags(flags),
  }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw usageError(
        `port ${port} is in use (another eddy server?)`,
        'stop the other server, or pick another --port (0 picks a free one)',
      );
    }
    throw e;
  });
  if (server.bootstrapToken !== undefined && process.env['EDDY_TOKEN'] === undefined) {
    console.log(`admin token (printed once, keep it): ${server.bootstrapToken}`);
  }
  console.log(`eddy server listening on ${server.url}`);
  return await new Promise<number>((resolve) => {
    const stop = () => {
      void server.close().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
