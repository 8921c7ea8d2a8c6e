#!/usr/bin/env node
// `npm start`: the platform demo. Starts `eddy server` on its embedded defaults with a data
// directory under .eddy/, deploys two example applications through the CLI client (bot tagging,
// unbounded; sessionization, a bounded job that runs and ends), and prints the server's URL, an
// admin token and three commands to try. Ctrl-C stops the server cleanly; the next `npm start`
// finds the applications where they were (bot tagging resumes from its latest checkpoint).
// Plain Node ESM with no dependencies.
//
// Environment:
//   EDDY_DEMO_DATA_DIR  the server's data directory (default .eddy/demo)
//   EDDY_DEMO_PORT      the port (default 8081; 0 picks a free one)

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const eddyBin = join(root, 'bin/eddy.js');
const dataDir = resolve(process.env.EDDY_DEMO_DATA_DIR ?? join(root, '.eddy/demo'));
const port = process.env.EDDY_DEMO_PORT ?? '8081';
const tokenFile = join(dataDir, 'demo-token');

/** Runs `eddy <args>`; resolves with its stdout, rejects with its stderr when it fails. */
function eddy(args, env = {}, quiet = false) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [eddyBin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (err += c));
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new Error(`eddy ${args[0]} failed${err ? `:\n${err}` : ''}`)),
    );
  });
}

/** The demo's admin token: made on the first start, kept (0600) beside the data. */
async function demoToken() {
  if (existsSync(tokenFile)) return { token: readFileSync(tokenFile, 'utf8').trim(), fresh: false };
  mkdirSync(dataDir, { recursive: true });
  let token;
  if (existsSync(join(dataDir, 'eddy.db'))) {
    token = (
      await eddy(
        ['server', 'token', 'create', '--role', 'admin', '--name', 'demo', '--data-dir', dataDir],
        {},
        true,
      )
    ).trim();
  } else {
    // A fresh data directory: the server creates this as its first admin token.
    token = `eddy_${randomBytes(32).toString('base64url')}`;
  }
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return { token, fresh: true };
}

const { token } = await demoToken();
// Its own process group: Ctrl-C reaches this script only, which then stops the server (and the
// server its applications) in order.
const server = spawn(process.execPath, [eddyBin, 'server', '--data-dir', dataDir, '--port', port], {
  cwd: root,
  env: { ...process.env, EDDY_TOKEN: token },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let serverOutput = '';
const url = await new Promise((resolvePromise, reject) => {
  const onData = (chunk) => {
    serverOutput += chunk;
    const m = /listening on (http\S+)/.exec(serverOutput);
    if (m) resolvePromise(m[1]);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.once('exit', (code) =>
    reject(new Error(`eddy server exited (${code}):\n${serverOutput}`)),
  );
});
// From here on its output goes to this terminal.
server.stdout.on('data', (c) => process.stdout.write(c));
server.stderr.on('data', (c) => process.stderr.write(c));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping the eddy server…\n');
  server.kill('SIGINT');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const exited = new Promise((r) =>
  server.once('exit', (code, signal) => r(code ?? (signal ? 1 : 0))),
);

const env = { EDDY_SERVER: url, EDDY_TOKEN: token };
try {
  process.stderr.write(
    `eddy server listening on ${url} (data in ${relative(process.cwd(), dataDir) || '.'})\n`,
  );
  // Deployed on the first start only: later starts find them as they were left (the server
  // resumes what was running), changes made meanwhile included.
  const demoApps = [
    [
      'bots',
      'examples/bot-tagging.ts',
      '--prop',
      'source.events=0',
      '--prop',
      'source.rate=500',
      '--units',
      '0.5',
    ],
    ['sessions', 'examples/sessionization.ts', '--units', '0.25'],
  ];
  for (const [name, job, ...flags] of demoApps) {
    const existing = await eddy(['apps', 'show', name, '--json'], env, true).then(
      (out) => JSON.parse(out),
      () => undefined,
    );
    if (existing === undefined) await eddy(['deploy', job, '--name', name, ...flags], env);
    else
      process.stderr.write(
        `eddy: ${name} is deployed already (${existing.status}, version ${existing.version})\n`,
      );
  }
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  stop();
  await exited;
  process.exit(1);
}
if (!stopping) {
  console.log(`
The Eddy platform demo is running.

  server  ${url}   (API description: ${url}/v1/openapi.json)
  token   ${token}   (admin; kept in ${relative(process.cwd(), tokenFile)})

Try, in another terminal:

  export EDDY_SERVER=${url} EDDY_TOKEN=${token}
  node bin/eddy.js apps list
  node bin/eddy.js apps logs bots --follow
  node bin/eddy.js apps update bots --prop source.rate=1000

Ctrl-C stops the server; npm start again resumes the applications.`);
}
process.exit(await exited);
