#!/usr/bin/env node
// Runs a real PostgreSQL server (Debian's `postgresql` package) on a loopback port for Eddy's
// tests and examples: its own data directory (initdb), prepared transactions enabled
// (max_prepared_transactions > 0, which the exactly-once sink needs), stopped with `stop`.
// Plain Node ESM with no dependencies.
//
//   node scripts/postgres.mjs start | stop | restart | status | url
//
// When no PostgreSQL is installed, `start` installs Debian's package (`apt-get install -y
// postgresql`, after `apt-get update` if needed) when it runs as root — CI starts from nothing —
// and otherwise says what to install. PostgreSQL refuses to run as root, so as root the server
// runs as the `postgres` user (runuser) with its data under the system's temporary directory.
// Every command takes a per-port lock file, so parallel test files can call `start` at once.
//
// Environment:
//   EDDY_POSTGRES_PORT     port on 127.0.0.1 (default 39432)
//   EDDY_POSTGRES_DATA     data directory (default ~/.cache/eddy/postgres-data-<port>, or
//                          <tmpdir>/eddy-postgres-data-<port> as root)
//   EDDY_POSTGRES_BIN      directory of initdb/pg_ctl (default: the newest
//                          /usr/lib/postgresql/<version>/bin, else PATH)
//   EDDY_POSTGRES_START_TIMEOUT_MS  how long start waits for the server (default 60000)

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseHeldLocks, withLock as withFileLock } from './file-lock.mjs';

/** An expected failure: printed without a stack trace, exit code 1. */
class PostgresScriptError extends Error {}

const HOST = '127.0.0.1';
const PORT = parsePort('EDDY_POSTGRES_PORT', 39432);
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const CACHE_ROOT = resolve(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eddy');
// As root the server runs as `postgres`, which cannot enter root's home directory.
const DATA_DIR = resolve(
  process.env.EDDY_POSTGRES_DATA ||
    (IS_ROOT
      ? join(tmpdir(), `eddy-postgres-data-${PORT}`)
      : join(CACHE_ROOT, `postgres-data-${PORT}`)),
);
const LOG_FILE = join(DATA_DIR, 'server.log');
const SOCKET_DIR = DATA_DIR;
const LOCK_FILE = join(CACHE_ROOT, `postgres-${PORT}.lock`);
const START_TIMEOUT_MS = Number(process.env.EDDY_POSTGRES_START_TIMEOUT_MS || 60_000);
const LOCK_TIMEOUT_MS = 10 * 60_000;
const URL = `postgres://postgres@${HOST}:${PORT}/postgres`;

function log(message) {
  process.stdout.write(`[postgres] ${message}\n`);
}

function parsePort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PostgresScriptError(`${name}=${raw} is not a valid TCP port (1-65535).`);
  }
  return port;
}

// ---------------------------------------------------------------------------------------------
// Finding (or installing) the binaries

function findBinDir() {
  const override = process.env.EDDY_POSTGRES_BIN;
  if (override) {
    if (!existsSync(join(override, 'pg_ctl'))) {
      throw new PostgresScriptError(`EDDY_POSTGRES_BIN=${override} holds no pg_ctl.`);
    }
    return override;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim() !== '') {
    return resolve(which.stdout.trim(), '..');
  }
  return undefined;
}

function aptInstall() {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
  log('PostgreSQL is not installed: apt-get install -y postgresql (Debian package)');
  let result = install();
  if (result.error === undefined && result.status !== 0) {
    log('apt-get install failed; running apt-get update and trying again');
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'], env });
    result = install();
  }
  if (result.error !== undefined || result.status !== 0) {
    throw new PostgresScriptError(
      `apt-get install -y postgresql failed (${result.error?.message ?? `exit ${result.status}`}).`,
    );
  }
}

function requireBinDir() {
  let bin = findBinDir();
  if (bin === undefined && IS_ROOT && spawnSync('apt-get', ['--version']).status === 0) {
    aptInstall();
    bin = findBinDir();
  }
  if (bin === undefined) {
    throw new PostgresScriptError(
      'PostgreSQL was not found (no /usr/lib/postgresql/<version>/bin/pg_ctl, none on PATH).\n' +
        '  Debian/Ubuntu: sudo apt-get install -y postgresql\n' +
        '  macOS:         brew install postgresql\n' +
        'or point EDDY_POSTGRES_BIN at the directory holding initdb and pg_ctl.',
    );
  }
  return bin;
}

/** Runs a PostgreSQL program; as root, as the `postgres` user (the server refuses root). */
function run(bin, program, args, options = {}) {
  const command = join(bin, program);
  const [file, argv] = IS_ROOT
    ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
    : [command, args];
  return spawnSync(file, argv, { encoding: 'utf8', cwd: tmpdir(), ...options });
}

function ensurePostgresUser() {
  if (!IS_ROOT) return;
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0) return;
  const made = spawnSync('useradd', ['--system', '--no-create-home', 'postgres'], {
    encoding: 'utf8',
  });
  if (made.status !== 0) {
    throw new PostgresScriptError(
      `running as root needs a postgres user to run the server as; useradd failed: ${made.stderr}`,
    );
  }
}

/** Runs `fn` holding this port's lock (file-lock.mjs). */
function withLock(fn) {
  return withFileLock(LOCK_FILE, 'starting/stopping the server', fn, {
    log,
    timeoutMs: LOCK_TIMEOUT_MS,
    fail: (message) => new PostgresScriptError(message),
  });
}

// ---------------------------------------------------------------------------------------------
// The server

const SETTINGS = [
  ['listen_addresses', `'${HOST}'`],
  ['port', String(PORT)],
  ['unix_socket_directories', `'${SOCKET_DIR}'`],
  // The exactly-once sink prepares one transaction per subtask and checkpoint.
  ['max_prepared_transactions', '64'],
  ['max_connections', '200'],
  // A server for tests: durability across a clean restart is enough (stop flushes).
  ['fsync', 'off'],
  ['synchronous_commit', 'off'],
  ['full_page_writes', 'off'],
  ['shared_buffers', "'32MB'"],
  ['log_min_messages', 'warning'],
];

function initDataDir(bin) {
  if (existsSync(join(DATA_DIR, 'PG_VERSION'))) return;
  mkdirSync(DATA_DIR, { recursive: true });
  if (IS_ROOT) {
    spawnSync('chown', ['-R', 'postgres:postgres', DATA_DIR]);
  }
  chmodSync(DATA_DIR, 0o700);
  const result = run(bin, 'initdb', [
    '-D',
    DATA_DIR,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  if (result.status !== 0) {
    throw new PostgresScriptError(
      `initdb -D ${DATA_DIR} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  const conf = join(DATA_DIR, 'postgresql.conf');
  const lines = SETTINGS.map(([k, v]) => `${k} = ${v}`).join('\n');
  writeFileSync(conf, `${readFileSync(conf, 'utf8')}\n# Eddy's scripts/postgres.mjs\n${lines}\n`);
  log(`initialized ${DATA_DIR}`);
}

function portAcceptsConnections() {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: HOST, port: PORT });
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolvePromise(false);
    });
    socket.on('error', () => resolvePromise(false));
  });
}

function serverRunning(bin) {
  if (!existsSync(join(DATA_DIR, 'PG_VERSION'))) return false;
  return run(bin, 'pg_ctl', ['status', '-D', DATA_DIR]).status === 0;
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startServer() {
  const bin = requireBinDir();
  ensurePostgresUser();
  if (serverRunning(bin)) {
    log(`already running at ${URL}`);
    return;
  }
  if (await portAcceptsConnections()) {
    throw new PostgresScriptError(
      `Port ${PORT} on ${HOST} is already in use by a process this script did not start. Stop ` +
        'it, or choose another port with EDDY_POSTGRES_PORT.',
    );
  }
  const started = Date.now();
  initDataDir(bin);
  const result = run(bin, 'pg_ctl', [
    'start',
    '-D',
    DATA_DIR,
    '-l',
    LOG_FILE,
    '-w',
    '-t',
    String(Math.ceil(START_TIMEOUT_MS / 1000)),
  ]);
  if (result.status !== 0) {
    throw new PostgresScriptError(
      `pg_ctl start failed (exit ${result.status}): ${result.stderr}${result.stdout}\n` +
        `Last lines of ${LOG_FILE}:\n${tail(LOG_FILE, 20)}`,
    );
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await portAcceptsConnections())) {
    if (Date.now() > deadline) {
      throw new PostgresScriptError(`PostgreSQL does not accept connections; see ${LOG_FILE}`);
    }
    await sleep(100);
  }
  log(`ready at ${URL} in ${((Date.now() - started) / 1000).toFixed(1)}s (data ${DATA_DIR})`);
}

function stopServer() {
  const bin = findBinDir();
  if (bin === undefined || !serverRunning(bin)) {
    log(`not running (port ${PORT})`);
    return;
  }
  const result = run(bin, 'pg_ctl', ['stop', '-D', DATA_DIR, '-m', 'fast', '-w', '-t', '60']);
  if (result.status !== 0) {
    throw new PostgresScriptError(`pg_ctl stop failed: ${result.stderr}${result.stdout}`);
  }
  log(`stopped (port ${PORT})`);
}

function status() {
  const bin = findBinDir();
  if (bin === undefined || !serverRunning(bin)) {
    log(`not running (port ${PORT}, data ${DATA_DIR})`);
    return 3;
  }
  log(`running at ${URL} (data ${DATA_DIR}, log ${LOG_FILE})`);
  return 0;
}

const USAGE = `usage: node scripts/postgres.mjs <start|stop|restart|status|url>
  start    install PostgreSQL if needed (as root), initdb, start it on ${HOST}:${PORT}, wait until ready
  stop     stop it (pg_ctl stop -m fast)
  restart  stop, then start (keeps the data, prepared transactions included)
  status   exit 0 when running, 3 when not
  url      print the connection string (${URL})`;

async function main(command) {
  switch (command) {
    case 'start':
      await withLock(startServer);
      return 0;
    case 'stop':
      await withLock(async () => stopServer());
      return 0;
    case 'restart':
      await withLock(async () => {
        stopServer();
        await startServer();
      });
      return 0;
    case 'status':
      return status();
    case 'url':
      process.stdout.write(`${URL}\n`);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  releaseHeldLocks();
  if (error instanceof PostgresScriptError) {
    process.stderr.write(`[postgres] error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
