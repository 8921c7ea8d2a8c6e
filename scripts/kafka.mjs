#!/usr/bin/env node
// Runs a real single-node Apache Kafka 4.x broker (KRaft, combined broker + controller) on a
// loopback port for Eddy's tests and examples. Plain Node ESM with no dependencies.
//
//   node scripts/kafka.mjs start | stop | restart | status
//
// The broker's jars come from Maven Central (org.apache.kafka:kafka_2.13 and its runtime
// dependencies, through `mvn dependency:copy-dependencies` on a generated pom) and are cached
// outside the repository. Every command takes a per-port lock file, so concurrent callers (test
// files run in parallel processes) are safe: the first one starts the broker, the others wait
// and then find it running.
//
// Environment:
//   EDDY_KAFKA_VERSION        Kafka version to fetch (default 4.4.0)
//   EDDY_KAFKA_HOME           where the jars are cached (default ~/.cache/eddy/kafka-<version>)
//   EDDY_KAFKA_PORT           client listener port on 127.0.0.1 (default 39092)
//   EDDY_KAFKA_CONTROLLER_PORT  KRaft controller port (default client port + 1)
//   EDDY_KAFKA_DATA           data directory (default ~/.cache/eddy/kafka-data-<port>)
//   EDDY_KAFKA_HEAP_OPTS      JVM heap options (default -Xms256m -Xmx1g)
//   EDDY_KAFKA_START_TIMEOUT_MS  how long start waits for the broker (default 90000)
//   EDDY_KAFKA_STOP_TIMEOUT_MS   how long stop waits after SIGTERM before SIGKILL (default 30000)

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, releaseHeldLocks, withLock as withFileLock } from './file-lock.mjs';

/** An expected failure: printed without a stack trace, exit code 1. */
class KafkaScriptError extends Error {}

const KAFKA_VERSION = process.env.EDDY_KAFKA_VERSION || '4.4.0';
const SCALA_BINARY = '2.13';
// The dependency plugin already in most local repositories; pinned for reproducible fetches.
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
// kafka_2.13 depends on slf4j-api 1.7 and log4j-core but not on the binding between them; without
// it the broker logs nothing. Same log4j version as the broker's own log4j-core.
const LOG4J_SLF4J_BINDING = 'org.apache.logging.log4j:log4j-slf4j-impl:2.25.5';

const CACHE_ROOT = resolve(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eddy');
const KAFKA_HOME = resolve(
  process.env.EDDY_KAFKA_HOME || join(CACHE_ROOT, `kafka-${KAFKA_VERSION}`),
);
const LIBS_DIR = join(KAFKA_HOME, 'libs');
const LIBS_MARKER = join(LIBS_DIR, '.eddy-complete');
const HOST = '127.0.0.1';
const PORT = parsePort('EDDY_KAFKA_PORT', 39092);
const CONTROLLER_PORT = parsePort('EDDY_KAFKA_CONTROLLER_PORT', PORT + 1);
const DATA_DIR = resolve(process.env.EDDY_KAFKA_DATA || join(CACHE_ROOT, `kafka-data-${PORT}`));
const LOG_DIRS = join(DATA_DIR, 'log');
const PID_FILE = join(DATA_DIR, 'broker.pid');
const LOG_FILE = join(DATA_DIR, 'broker.log');
const SERVER_PROPERTIES = join(DATA_DIR, 'server.properties');
const LOG4J_PROPERTIES = join(DATA_DIR, 'log4j2.properties');
const BROKER_LOCK = join(CACHE_ROOT, `kafka-${PORT}.lock`);
const FETCH_LOCK = `${KAFKA_HOME}.fetch.lock`;
const START_TIMEOUT_MS = parseMs('EDDY_KAFKA_START_TIMEOUT_MS', 90_000);
const STOP_TIMEOUT_MS = parseMs('EDDY_KAFKA_STOP_TIMEOUT_MS', 30_000);
const LOCK_TIMEOUT_MS = 15 * 60_000;
const HEAP_OPTS = (process.env.EDDY_KAFKA_HEAP_OPTS || '-Xms256m -Xmx1g')
  .split(/\s+/)
  .filter(Boolean);

const BOOTSTRAP = `${HOST}:${PORT}`;
const isTTY = Boolean(process.stdout.isTTY);

function log(message) {
  process.stdout.write(`[kafka] ${message}\n`);
}

function parsePort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KafkaScriptError(`${name}=${raw} is not a valid TCP port (1-65535).`);
  }
  return port;
}

function parseMs(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new KafkaScriptError(`${name}=${raw} is not a positive number of milliseconds.`);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

function requireJava() {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new KafkaScriptError(
      'Java was not found on PATH. Kafka 4.x needs Java 17 or newer.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        'Then run `npm run kafka:start` again.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    throw new KafkaScriptError(
      `Kafka 4.x needs Java 17 or newer, but \`java -version\` reports: ${
        (result.stderr || result.stdout).split('\n')[0]
      }\n  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless`,
    );
  }
}

function requireMaven() {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new KafkaScriptError(
      'Maven (mvn) was not found on PATH; it is needed once to fetch the Kafka jars from Maven ' +
        'Central.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y maven\n' +
        '  macOS:         brew install maven\n' +
        `Then run \`npm run kafka:start\` again (or point EDDY_KAFKA_HOME at a directory whose ` +
        `libs/ already holds the Kafka ${KAFKA_VERSION} jars).`,
    );
  }
}

/** The broker's and the fetch's locks (file-lock.mjs), with this script's log and errors. */
function withLock(file, what, fn) {
  return withFileLock(file, what, fn, {
    log,
    timeoutMs: LOCK_TIMEOUT_MS,
    fail: (message) => new KafkaScriptError(message),
  });
}

// ---------------------------------------------------------------------------------------------
// Fetching the jars

function libsReady() {
  return existsSync(LIBS_MARKER);
}

function pomXml() {
  const dependency = (coordinates) => {
    const [groupId, artifactId, version] = coordinates.split(':');
    return (
      `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId>` +
      `<version>${version}</version></dependency>`
    );
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by Eddy's scripts/kafka.mjs to fetch the Kafka broker's jars; safe to delete. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.eddy</groupId>
  <artifactId>kafka-broker-fetch</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
${dependency(`org.apache.kafka:kafka_${SCALA_BINARY}:${KAFKA_VERSION}`)}
${dependency(LOG4J_SLF4J_BINDING)}
  </dependencies>
</project>
`;
}

async function fetchKafka() {
  if (libsReady()) return false;
  requireMaven();
  return withLock(FETCH_LOCK, 'fetching Kafka', async () => {
    if (libsReady()) return false;
    const started = Date.now();
    const workDir = join(KAFKA_HOME, 'fetch');
    const tmpLibs = join(KAFKA_HOME, `libs.tmp-${process.pid}`);
    mkdirSync(workDir, { recursive: true });
    rmSync(tmpLibs, { recursive: true, force: true });
    writeFileSync(join(workDir, 'pom.xml'), pomXml());
    const mvnLog = join(workDir, 'mvn.log');
    log(`fetching Apache Kafka ${KAFKA_VERSION} (kafka_${SCALA_BINARY} + runtime dependencies) `);
    log(`  from Maven Central into ${LIBS_DIR} (once; later starts reuse it)`);
    const args = [
      '-B',
      '-f',
      join(workDir, 'pom.xml'),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${tmpLibs}`,
      '-DincludeScope=runtime',
      '-Dmdep.useRepositoryLayout=false',
    ];
    const code = await new Promise((resolvePromise, reject) => {
      const logFd = openSync(mvnLog, 'w');
      const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let downloaded = 0;
      let bytes = 0;
      let copied = 0;
      let lastLine = 0;
      let pending = '';
      const progress = (force) => {
        const now = Date.now();
        if (!force && now - lastLine < (isTTY ? 100 : 2000)) return;
        lastLine = now;
        const line =
          `[kafka]   ${downloaded} files downloaded (${(bytes / 1e6).toFixed(1)} MB), ` +
          `${copied} jars copied, ${((now - started) / 1000).toFixed(0)}s`;
        if (isTTY) process.stdout.write(`\r${line}\x1b[K`);
        else process.stdout.write(`${line}\n`);
      };
      const onData = (chunk) => {
        writeSync(logFd, chunk);
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const done = /Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB)/.exec(line);
          if (done) {
            downloaded += 1;
            const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6 }[done[2]] ?? 1;
            bytes += Number(done[1]) * unit;
          } else if (/Copying \S+\.jar to/.test(line)) {
            copied += 1;
          }
        }
        progress(false);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', (error) => {
        closeSync(logFd);
        reject(error);
      });
      child.on('close', (status) => {
        closeSync(logFd);
        progress(true);
        if (isTTY) process.stdout.write('\n');
        resolvePromise(status);
      });
    });
    if (code !== 0) {
      const tail = readFileSync(mvnLog, 'utf8')
        .split('\n')
        .filter((l) => /ERROR/.test(l));
      rmSync(tmpLibs, { recursive: true, force: true });
      throw new KafkaScriptError(
        `Fetching Kafka ${KAFKA_VERSION} with Maven failed (exit ${code}). Full log: ${mvnLog}\n` +
          tail.slice(0, 15).join('\n') +
          '\nCheck that Maven Central is reachable (mvn uses ~/.m2/settings.xml for mirrors and ' +
          'proxies), or choose another version with EDDY_KAFKA_VERSION.',
      );
    }
    const jars = readdirSync(tmpLibs).filter((name) => name.endsWith('.jar'));
    if (!jars.includes(`kafka_${SCALA_BINARY}-${KAFKA_VERSION}.jar`)) {
      throw new KafkaScriptError(
        `Maven finished but ${tmpLibs} holds no kafka_${SCALA_BINARY}-${KAFKA_VERSION}.jar; see ${mvnLog}.`,
      );
    }
    writeFileSync(
      join(tmpLibs, '.eddy-complete'),
      `${JSON.stringify({ version: KAFKA_VERSION, jars: jars.length, fetchedAt: new Date() })}\n`,
    );
    rmSync(LIBS_DIR, { recursive: true, force: true });
    renameSync(tmpLibs, LIBS_DIR);
    log(`fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Configuration and storage

function serverProperties() {
  return `# Generated by Eddy's scripts/kafka.mjs on every start; edits are overwritten.
# Single-node KRaft: this process is both broker and controller, listening on loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${CONTROLLER_PORT}
listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${LOG_DIRS}

# One replica of everything, including the internal topics.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Topics are created explicitly (tests and jobs choose their partition counts; a typo in a sink's
# topic must fail instead of silently creating a one-partition topic).
auto.create.topics.enable=false
num.partitions=1
delete.topic.enable=true

# Fast groups for tests.
group.initial.rebalance.delay.ms=0

# Small logs: this broker is for tests and examples. Retention by size only: their records often
# carry synthetic timestamps (Nexmark's and the tests' start in 2023), and retention by time would
# delete a topic's data within a minute of writing it, in the middle of a test.
log.segment.bytes=16777216
log.retention.ms=-1
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
`;
}

const LOG4J = `# Generated by Eddy's scripts/kafka.mjs: everything to stdout, which goes to broker.log.
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
`;

function javaClasspath() {
  return `${LIBS_DIR}/*`;
}

function writeConfig() {
  mkdirSync(LOG_DIRS, { recursive: true });
  writeFileSync(SERVER_PROPERTIES, serverProperties());
  writeFileSync(LOG4J_PROPERTIES, LOG4J);
}

function randomClusterId() {
  // Kafka's Uuid: 16 random bytes, base64url without padding; never starting with '-'.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function formatStorage() {
  if (existsSync(join(LOG_DIRS, 'meta.properties'))) return false;
  const clusterId = randomClusterId();
  const result = spawnSync(
    'java',
    [
      `-Dlog4j2.configurationFile=${LOG4J_PROPERTIES}`,
      '-cp',
      javaClasspath(),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      SERVER_PROPERTIES,
      '--ignore-formatted',
    ],
    { encoding: 'utf8', cwd: DATA_DIR },
  );
  if (result.status !== 0) {
    throw new KafkaScriptError(
      `Formatting the Kafka storage in ${LOG_DIRS} failed (exit ${result.status}):\n` +
        `${result.stderr}${result.stdout}`.split('\n').slice(-20).join('\n'),
    );
  }
  log(`formatted ${LOG_DIRS} (cluster id ${clusterId})`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// The broker process

function readPid() {
  try {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and (where /proc exists) is a Kafka broker, not a recycled pid. */
function isOurBroker(pid) {
  if (pid === null || !isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka');
  } catch (error) {
    return error.code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// A minimal Kafka protocol client: ApiVersions v0, then Metadata (a non-flexible version the
// broker supports), answered with at least one registered broker means "ready".
function kafkaRequest(socket, apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from('eddy-kafka-script');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  socket.write(Buffer.concat([size, payload]));
}

function probeBroker(timeoutMs = 2000) {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: HOST, port: PORT });
    let buffer = Buffer.alloc(0);
    let stage = 'apiVersions';
    const finish = (result) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(result);
    };
    const timer = setTimeout(() => finish({ ready: false, reason: 'no answer' }), timeoutMs);
    socket.on('error', (error) => finish({ ready: false, reason: error.code ?? error.message }));
    socket.on('connect', () => kafkaRequest(socket, 18, 0, 1, Buffer.alloc(0)));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4 || buffer.length < 4 + buffer.readInt32BE(0)) return;
      const frame = buffer.subarray(4, 4 + buffer.readInt32BE(0));
      buffer = buffer.subarray(4 + frame.length);
      try {
        if (stage === 'apiVersions') {
          const errorCode = frame.readInt16BE(4);
          if (errorCode !== 0)
            return finish({ ready: false, reason: `ApiVersions error ${errorCode}` });
          const count = frame.readInt32BE(6);
          let metadataRange = null;
          for (let i = 0; i < count; i++) {
            const at = 10 + i * 6;
            if (frame.readInt16BE(at) === 3) {
              metadataRange = [frame.readInt16BE(at + 2), frame.readInt16BE(at + 4)];
            }
          }
          if (!metadataRange) return finish({ ready: false, reason: 'no Metadata API' });
          const version = Math.max(4, metadataRange[0]);
          if (version > 8 || version > metadataRange[1]) {
            // Only flexible versions left: the ApiVersions answer has to do.
            return finish({ ready: true, brokers: null });
          }
          stage = 'metadata';
          // topics: empty array (no topics, brokers only); allow_auto_topic_creation: false;
          // v8+: include_cluster/topic_authorized_operations: false.
          const body = Buffer.alloc(version >= 8 ? 7 : 5);
          body.writeInt32BE(0, 0);
          kafkaRequest(socket, 3, version, 2, body);
          return undefined;
        }
        // Metadata v4–v8 response: correlation id, throttle time, brokers array.
        const brokers = frame.readInt32BE(8);
        return finish(
          brokers > 0 ? { ready: true, brokers } : { ready: false, reason: 'no broker registered' },
        );
      } catch (error) {
        return finish({ ready: false, reason: `bad answer: ${error.message}` });
      }
    });
  });
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

async function startBroker() {
  const pid = readPid();
  if (isOurBroker(pid)) {
    const probe = await waitReady(pid, Date.now() + START_TIMEOUT_MS);
    log(`already running at ${BOOTSTRAP} (pid ${probe.pid})`);
    return;
  }
  if (pid !== null) rmSync(PID_FILE, { force: true });
  if (await portAcceptsConnections()) {
    throw new KafkaScriptError(
      `Port ${PORT} on ${HOST} is already in use by a process this script did not start. Stop it, ` +
        'or choose another port with EDDY_KAFKA_PORT.',
    );
  }
  const started = Date.now();
  requireJava();
  await fetchKafka();
  writeConfig();
  formatStorage();
  if (existsSync(LOG_FILE)) renameSync(LOG_FILE, `${LOG_FILE}.1`);
  const logFd = openSync(LOG_FILE, 'a');
  const child = spawn(
    'java',
    [
      ...HEAP_OPTS,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${LOG4J_PROPERTIES}`,
      `-Dkafka.logs.dir=${DATA_DIR}`,
      '-cp',
      javaClasspath(),
      'kafka.Kafka',
      SERVER_PROPERTIES,
    ],
    { cwd: DATA_DIR, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  if (child.pid === undefined) {
    throw new KafkaScriptError(`Could not start java; see ${LOG_FILE}.`);
  }
  writeFileSync(PID_FILE, `${child.pid}\n`);
  child.unref();
  log(`starting Kafka ${KAFKA_VERSION} (pid ${child.pid}); log: ${LOG_FILE}`);
  try {
    await waitReady(child.pid, Date.now() + START_TIMEOUT_MS);
  } catch (error) {
    await killBroker(child.pid);
    throw error;
  }
  log(`ready at ${BOOTSTRAP} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

async function waitReady(pid, deadline) {
  let last = { ready: false, reason: 'not probed' };
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new KafkaScriptError(
        `Kafka (pid ${pid}) exited during start-up. Last lines of ${LOG_FILE}:\n${tail(LOG_FILE, 30)}`,
      );
    }
    last = await probeBroker();
    if (last.ready) return { pid };
    await sleep(200);
  }
  throw new KafkaScriptError(
    `Kafka (pid ${pid}) did not answer a metadata request on ${BOOTSTRAP} within ` +
      `${START_TIMEOUT_MS / 1000}s (last probe: ${last.reason}). See ${LOG_FILE}:\n${tail(LOG_FILE, 20)}`,
  );
}

async function killBroker(pid) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && isAlive(pid)) await sleep(100);
  if (isAlive(pid)) {
    log(`pid ${pid} still running ${STOP_TIMEOUT_MS / 1000}s after SIGTERM; sending SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in between
    }
    while (isAlive(pid)) await sleep(50);
  }
}

async function stopBroker() {
  const pid = readPid();
  if (!isOurBroker(pid)) {
    if (pid !== null) rmSync(PID_FILE, { force: true });
    log(`not running (port ${PORT})`);
    return;
  }
  const started = Date.now();
  await killBroker(pid);
  rmSync(PID_FILE, { force: true });
  log(`stopped pid ${pid} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

async function status() {
  const pid = readPid();
  if (!isOurBroker(pid)) {
    log(`not running (port ${PORT}, data ${DATA_DIR})`);
    return 3;
  }
  const probe = await probeBroker();
  log(
    `running at ${BOOTSTRAP} (pid ${pid}, Kafka ${KAFKA_VERSION}, ${
      probe.ready ? 'answering' : `not answering: ${probe.reason}`
    }); data ${DATA_DIR}; log ${LOG_FILE}`,
  );
  return probe.ready ? 0 : 4;
}

// ---------------------------------------------------------------------------------------------

const USAGE = `usage: node scripts/kafka.mjs <start|stop|restart|status>
  start    fetch Kafka ${KAFKA_VERSION} if needed, then start it on ${BOOTSTRAP} and wait until ready
  stop     SIGTERM the broker (SIGKILL after ${STOP_TIMEOUT_MS / 1000}s)
  restart  stop, then start (keeps the data)
  status   exit 0 when running and answering, 3 when not running`;

async function main(command) {
  switch (command) {
    case 'start':
      await withLock(BROKER_LOCK, 'starting/stopping the broker', startBroker);
      return 0;
    case 'stop':
      await withLock(BROKER_LOCK, 'starting/stopping the broker', stopBroker);
      return 0;
    case 'restart':
      await withLock(BROKER_LOCK, 'starting/stopping the broker', async () => {
        await stopBroker();
        await startBroker();
      });
      return 0;
    case 'status':
      return status();
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (error) {
  releaseHeldLocks();
  if (error instanceof KafkaScriptError) {
    process.stderr.write(`[kafka] error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
