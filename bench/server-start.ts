/**
 * `eddy server` start-up time (issue 15): wall time and CPU seconds from spawning the server to
 * its "listening on <url>" line, `--runs` times (default 5), each on a fresh data directory
 * (the first start: database created, admin token made). Medians are printed with the load.
 *
 *   node --import tsx bench/server-start.ts [--runs 5] [--dist]
 *
 * Without `--dist` the server runs from the TypeScript sources as
 * `node bin/eddy.js server` does in a checkout (through tsx); with it, from the built
 * `dist/cli/main.js` (`npm run build` first).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, dist: { type: 'boolean', default: false } },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process `pid` has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function once(): Promise<{ wallMs: number; cpuS: number; openMs: number }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-server-start-'));
  // src/cli/main.ts only exports main(): bin/eddy.js runs it (through tsx in a checkout).
  const entry = args.dist
    ? [
        '--input-type=module',
        '-e',
        "const { main } = await import('./dist/cli/main.js'); process.exitCode = await main(process.argv.slice(1));",
      ]
    : ['bin/eddy.js'];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...entry, 'server', '--data-dir', dataDir, '--port', String(port)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, EDDY_TOKEN: 'bench' },
    },
  );
  // When the port first answers anything (a 503 while starting counts).
  let openMs = Number.NaN;
  const poll = (async () => {
    while (Number.isNaN(openMs) && child.exitCode === null) {
      try {
        await fetch(`http://127.0.0.1:${port}/v1/health`);
        openMs = performance.now() - started;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  })();
  try {
    const r = await new Promise<{ wallMs: number; cpuS: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (/listening on http/.test(out)) {
          resolve({ wallMs: performance.now() - started, cpuS: cpuSeconds(child.pid!) });
        }
      });
      child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${out}`)));
    });
    await poll;
    return { ...r, openMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const walls: number[] = [];
const cpus: number[] = [];
const opens: number[] = [];
for (let i = 0; i < Number(args.runs); i++) {
  const r = await once();
  walls.push(r.wallMs);
  cpus.push(r.cpuS);
  opens.push(r.openMs);
  console.log(
    `run ${i + 1}: port answers after ${r.openMs.toFixed(0)} ms; ${r.wallMs.toFixed(0)} ms wall, ${r.cpuS.toFixed(2)} CPU-s to "listening"`,
  );
}
console.log(
  `${args.dist ? 'dist' : 'tsx'}: median port answers after ${median(opens).toFixed(0)} ms; ` +
    `${median(walls).toFixed(0)} ms wall, ` +
    `${median(cpus).toFixed(2)} CPU-s to "listening" (${walls.length} runs; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
);
