/**
 * Issue 15's session-mode figure: the resident memory an extra application costs in a session
 * (applications sharing one host process) against a dedicated host process per application.
 * A real `eddy server` (child process, temp data directory) runs the bot-tagging example at a low
 * rate: first `--dedicated` applications each in its own process, then `--apps` applications
 * started one by one in one session. After each start it waits `--settle` seconds and takes the
 * median of 5 RSS readings (1 s apart) from /proc.
 *
 *   node --import tsx bench/platform-session-memory.ts [--apps 5] [--dedicated 2] [--settle 3]
 *
 * Prints one JSON line per reading and a summary: RSS of a dedicated process (median), and the
 * RSS growth of the session process per extra application ((RSS with N apps − RSS with 1) / (N−1)).
 *
 * @module
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageJob, startPlatformServer } from '../test/support/platform-server.ts';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '5' },
    dedicated: { type: 'string', default: '2' },
    settle: { type: 'string', default: '3' },
  },
});
const apps = Number(values.apps);
const dedicated = Number(values.dedicated);
const settleMs = Number(values.settle) * 1000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function medianRss(pid: number): Promise<number> {
  await sleep(settleMs);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssMb(pid));
    await sleep(1000);
  }
  readings.sort((a, b) => a - b);
  return Math.round(readings[2]! * 10) / 10;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const scratch = mkdtempSync(join(tmpdir(), 'eddy-session-bench-'));
const server = await startPlatformServer({
  dataDir: join(scratch, 'data'),
  flags: ['--capacity-units', '64'],
});
try {
  packageJob('examples/bot-tagging.ts', join(scratch, 'bots.eddy'));
  const artifact = await server.upload(join(scratch, 'bots.eddy'));
  const config = (session?: string) => ({
    properties: { source: { events: '0', rate: '100' } },
    checkpoints: { intervalMs: 5000 },
    resources: { units: 0.25 },
    ...(session !== undefined && { session }),
  });

  const dedicatedRss: number[] = [];
  for (let i = 0; i < dedicated; i++) {
    const name = `dedicated-${i}`;
    await server.create(name, artifact, config());
    await server.startApp(name);
    const pid: number = (await server.describe(name)).job.pid;
    const rss = await medianRss(pid);
    dedicatedRss.push(rss);
    console.log(JSON.stringify({ mode: 'dedicated', app: name, pid, rssMb: rss }));
  }

  const sessionRss: number[] = [];
  for (let i = 0; i < apps; i++) {
    const name = `session-${i}`;
    await server.create(name, artifact, config('bench'));
    await server.startApp(name);
    const pid: number = (await server.describe(name)).job.pid;
    const rss = await medianRss(pid);
    sessionRss.push(rss);
    console.log(JSON.stringify({ mode: 'session', apps: i + 1, pid, rssMb: rss }));
  }

  const perExtra =
    apps > 1 ? Math.round(((sessionRss.at(-1)! - sessionRss[0]!) / (apps - 1)) * 10) / 10 : NaN;
  const perDedicated = median(dedicatedRss);
  console.log(
    JSON.stringify({
      summary: true,
      dedicatedProcessRssMb: perDedicated,
      sessionRssMb: sessionRss,
      sessionRssPerExtraAppMb: perExtra,
    }),
  );
  console.log(
    `\ndedicated process per application: ${perDedicated} MiB RSS (median of ${dedicated})`,
  );
  console.log(`session with 1..${apps} applications: ${sessionRss.join(', ')} MiB RSS`);
  console.log(`per extra application in a session: ${perExtra} MiB (target < 30)`);
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
