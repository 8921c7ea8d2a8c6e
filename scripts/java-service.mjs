// Shared by the scripts that run a Java server from Maven Central jars for Eddy's tests and
// examples (scripts/kafka.mjs, scripts/s3proxy.mjs): prerequisites, per-port lock files that make
// concurrent callers safe (test files run in parallel processes), fetching jars with Maven once
// into a cache, and process helpers. Plain Node ESM with no dependencies.

import { spawn, spawnSync } from 'node:child_process';
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
export class ScriptError extends Error {}

/** Where fetched jars and default data directories live. */
export const CACHE_ROOT = resolve(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eddy');

// The dependency plugin already in most local repositories; pinned for reproducible fetches.
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const LOCK_TIMEOUT_MS = 15 * 60_000;
const isTTY = Boolean(process.stdout.isTTY);

/** A log function that prefixes lines with `[tag]`. */
export function logger(tag) {
  return (message) => process.stdout.write(`[${tag}] ${message}\n`);
}

/** The TCP port in environment variable `name`, or `fallback`. */
export function parsePort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ScriptError(`${name}=${raw} is not a valid TCP port (1-65535).`);
  }
  return port;
}

/** The milliseconds in environment variable `name`, or `fallback`. */
export function parseMs(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new ScriptError(`${name}=${raw} is not a positive number of milliseconds.`);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

/** Fails with install instructions unless `java` 17+ is on PATH; `what` names the server. */
export function requireJava(what, retry) {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new ScriptError(
      `Java was not found on PATH. ${what} needs Java 17 or newer.\n` +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        `Then run \`${retry}\` again.`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    throw new ScriptError(
      `${what} needs Java 17 or newer, but \`java -version\` reports: ${
        (result.stderr || result.stdout).split('\n')[0]
      }\n  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless`,
    );
  }
}

/** Fails with install instructions unless `mvn` is on PATH. */
export function requireMaven(what, retry, alternative) {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new ScriptError(
      `Maven (mvn) was not found on PATH; it is needed once to fetch the ${what} jars from Maven ` +
        'Central.\n' +
        '  Debian/Ubuntu: sudo apt-get install -y maven\n' +
        '  macOS:         brew install maven\n' +
        `Then run \`${retry}\` again (or ${alternative}).`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Locks: file-lock.mjs (shared with postgres.mjs), with this module's errors and messages.

export { isAlive, releaseHeldLocks };

/** Runs `fn` holding lock `file`; `script` names the script in messages, `what` the work. */
export function withLock(file, what, fn, { log, script }) {
  return withFileLock(file, `${what} (${script})`, fn, {
    log,
    timeoutMs: LOCK_TIMEOUT_MS,
    fail: (message) => new ScriptError(message),
  });
}

// ---------------------------------------------------------------------------------------------
// Fetching jars

/** A pom whose dependencies are `coordinates` (`group:artifact:version`), for fetching them. */
export function fetchPom(artifactId, version, coordinates, script) {
  const dependency = (c) => {
    const [groupId, artifact, v] = c.split(':');
    return (
      `    <dependency><groupId>${groupId}</groupId><artifactId>${artifact}</artifactId>` +
      `<version>${v}</version></dependency>`
    );
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by Eddy's ${script} to fetch jars; safe to delete. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.eddy</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${coordinates.map(dependency).join('\n')}
  </dependencies>
</project>
`;
}

/**
 * Copies the jars of `pom` and their runtime dependencies into `home/libs` with Maven, once:
 * `home/libs/.eddy-complete` marks a finished fetch, and a lock makes concurrent fetches wait.
 * `expectJar` must be among them. Returns true when it fetched.
 */
export async function fetchJars({ home, pom, expectJar, label, log, script, requireTools }) {
  const libsDir = join(home, 'libs');
  const marker = join(libsDir, '.eddy-complete');
  if (existsSync(marker)) return false;
  requireTools();
  return withLock(
    `${home}.fetch.lock`,
    `fetching ${label}`,
    async () => {
      if (existsSync(marker)) return false;
      const started = Date.now();
      const workDir = join(home, 'fetch');
      const tmpLibs = join(home, `libs.tmp-${process.pid}`);
      mkdirSync(workDir, { recursive: true });
      rmSync(tmpLibs, { recursive: true, force: true });
      writeFileSync(join(workDir, 'pom.xml'), pom);
      const mvnLog = join(workDir, 'mvn.log');
      log(`fetching ${label} (and its runtime dependencies)`);
      log(`  from Maven Central into ${libsDir} (once; later starts reuse it)`);
      const args = [
        '-B',
        '-f',
        join(workDir, 'pom.xml'),
        `${DEPENDENCY_PLUGIN}:copy-dependencies`,
        `-DoutputDirectory=${tmpLibs}`,
        '-DincludeScope=runtime',
        '-Dmdep.useRepositoryLayout=false',
      ];
      const code = await runMaven(args, mvnLog, log, started);
      if (code !== 0) {
        const errors = readFileSync(mvnLog, 'utf8')
          .split('\n')
          .filter((l) => /ERROR/.test(l));
        rmSync(tmpLibs, { recursive: true, force: true });
        throw new ScriptError(
          `Fetching ${label} with Maven failed (exit ${code}). Full log: ${mvnLog}\n` +
            errors.slice(0, 15).join('\n') +
            '\nCheck that Maven Central is reachable (mvn uses ~/.m2/settings.xml for mirrors and ' +
            'proxies).',
        );
      }
      const jars = readdirSync(tmpLibs).filter((name) => name.endsWith('.jar'));
      if (!jars.includes(expectJar)) {
        throw new ScriptError(
          `Maven finished but ${tmpLibs} holds no ${expectJar}; see ${mvnLog}.`,
        );
      }
      writeFileSync(
        join(tmpLibs, '.eddy-complete'),
        `${JSON.stringify({ label, jars: jars.length, fetchedAt: new Date() })}\n`,
      );
      rmSync(libsDir, { recursive: true, force: true });
      renameSync(tmpLibs, libsDir);
      log(`fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return true;
    },
    { log, script },
  );
}

/** Runs mvn with `args`, its output in `mvnLog`, printing download progress; resolves its exit. */
function runMaven(args, mvnLog, log, started) {
  return new Promise((resolvePromise, reject) => {
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
        `  ${downloaded} files downloaded (${(bytes / 1e6).toFixed(1)} MB), ` +
        `${copied} jars copied, ${((now - started) / 1000).toFixed(0)}s`;
      if (isTTY) process.stdout.write(`\r${line}\x1b[K`);
      else log(line);
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
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The pid in `file`, or null. */
export function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when `pid` is alive and (where /proc exists) its command line holds `mainClass`. */
export function isJavaProcess(pid, mainClass) {
  if (pid === null || !isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(mainClass);
  } catch (error) {
    return error.code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** The last `lines` lines of `file`. */
export function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether something accepts TCP connections on `host:port`. */
export function portAcceptsConnections(host, port) {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
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

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves when `pid` is gone. */
export async function killProcess(pid, timeoutMs, log) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(pid)) await sleep(100);
  if (isAlive(pid)) {
    log(`pid ${pid} still running ${timeoutMs / 1000}s after SIGTERM; sending SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited in between
    }
    while (isAlive(pid)) await sleep(50);
  }
}
