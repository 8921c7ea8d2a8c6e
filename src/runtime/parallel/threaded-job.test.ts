import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import type { ChannelTarget } from '../channel.ts';
import { RecordBatch } from '../record-batch.ts';
import { backPressureLevel, TaskTimes } from '../task-times.ts';
import { findUnserializable } from './find-unserializable.ts';
import { INITIAL_CREDITS, RemoteExchange } from './remote-exchange.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = 'src/runtime/parallel/fixtures/word-count-job.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function eddy(...args: string[]): Promise<Run> {
  return eddyWithNodeFlags([], ...args);
}

function eddyWithNodeFlags(nodeFlags: readonly string[], ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeFlags, 'bin/eddy.js', 'run', fixture, ...args],
      // A safety net against a hung child, not a bound on speed: four of these start together,
      // and a loaded CI machine took more than 30 s for them (issue #17 defect 15).
      { cwd: root, timeout: 300_000 },
      (e, stdout, stderr) =>
        resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : 1, stdout, stderr }),
    );
  });
}

const WORDS_AT_2000 = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']
  .map((w) => `${w}=2000`)
  .join('\n');

const lines = (s: string): string[] =>
  s
    .split('\n')
    .filter((l) => l.length > 0)
    .sort();

// The child processes start together (each starts Node, tsx and two worker threads).
const threaded = eddy('-p', '2', '--prop', 'fixture.count=16000');
const inProcess = eddy('-p', '2', '--runtime-mode', 'in-process', '--prop', 'fixture.count=16000');
const unserializable = eddy('-p', '2', '--prop', 'fixture.mode=unserializable');
const slow = eddy(
  ...[
    '-p',
    '2',
    '--batch-size',
    '64',
    '--prop',
    'fixture.mode=slow',
    '--prop',
    'fixture.count=8000',
  ],
);

test('a job file run on 2 threads prints what it prints in one thread', async () => {
  const [t, p] = await Promise.all([threaded, inProcess]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(lines(t.stdout).length, 8);
  assert.deepEqual(lines(t.stdout), lines(p.stdout));
  assert.match(t.stderr, /count\s+in\s+16000\s+out\s+16000/);
});

test('on threads, a job stopped with a savepoint and resumed from it counts every record once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-threads-savepoint-'));
  const args = ['-p', '2', '--prop', 'fixture.mode=paced', '--prop', 'fixture.count=16000'];
  args.push('--prop', 'fixture.rate=4000');
  // Stop part-way with SIGTERM: the savepoint's barriers cross the keyBy between the threads.
  const first = spawn(
    process.execPath,
    [
      ...['bin/eddy.js', 'run', fixture, ...args],
      ...['--savepoint-on-stop', join(dir, 'sp'), '--metrics-port', '0'],
    ],
    { cwd: root },
  );
  let out1 = '';
  let err1 = '';
  first.stdout.on('data', (d: Buffer) => (out1 += d.toString()));
  first.stderr.on('data', (d: Buffer) => (err1 += d.toString()));
  const exited = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
  // The metrics server starts once the job runs (signal handlers are installed by then); the
  // input lasts four seconds from there.
  while (!err1.includes('metrics at') && first.exitCode === null)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
  first.kill('SIGTERM');
  assert.equal(await exited, 0, err1);
  const path = /savepoint written to (\S+)/.exec(err1)?.[1];
  assert.ok(path !== undefined, err1);
  assert.ok(existsSync(join(path, '_metadata')));
  const second = await eddy(...args, '--from-savepoint', path);
  assert.equal(second.code, 0, second.stderr);
  // Each word reaches 2000 once over both runs (state and source positions restored, nothing
  // replayed twice, nothing lost).
  const printed = lines(out1 + second.stdout).map((l) => l.replace(/^\d+> /, ''));
  assert.deepEqual(printed.sort(), lines(WORDS_AT_2000));
});

test('a record that cannot cross threads fails the job naming the operator and the field', async () => {
  const r = await unserializable;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /operator "attach-formatter"/);
  assert.match(r.stderr, /record\.meta\.format is a function/);
});

test('a slow consumer in another thread backpressures the sources', async () => {
  const r = await slow;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /slow\s+in\s+8000/);
  // HIGH on a quiet machine; a loaded one (CI neighbours) can leave the consumer enough CPU for
  // LOW. Either way the source must not report OK: it spent time blocked on credits.
  assert.match(r.stderr, /words\s+in\s+0\s+out\s+8000\s+backpressure (LOW|HIGH)/);
});

test('a producer out of credit blocks until the consumer processed batches', async () => {
  const { port1, port2 } = new MessageChannel();
  const producer = new RemoteExchange(0, [undefined, port1]);
  const consumer = new RemoteExchange(1, [port2, undefined]);
  const received: number[] = [];
  const target: ChannelTarget = {
    pushBatch: (b) => received.push(b.size),
    pushWatermark: () => {},
    pushIdle: () => {},
    pushBarrier: () => {},
    pushEnd: () => {},
  };
  consumer.inbound(0, 0, target, new TaskTimes());
  const out = producer.outbound(0, 1, { name: 'producer' });
  const blockers: Promise<void>[] = [];
  void producer.start({ addBlocker: (p) => blockers.push(p), fail: (e) => assert.fail(String(e)) });
  const batch = new RecordBatch();
  batch.push({ a: 1 }, 5);
  for (let i = 0; i < INITIAL_CREDITS; i++) out.pushBatch(batch);
  assert.equal(blockers.length, 1, 'out of credit after the initial credits');
  let released = false;
  void blockers[0]?.then(() => (released = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(released, false, 'no credit while the consumer has not started');
  const ended = consumer.start({ addBlocker: () => {}, fail: (e) => assert.fail(String(e)) });
  await blockers[0];
  assert.equal(received.length, INITIAL_CREDITS);
  out.pushEnd();
  await ended;
  producer.close();
  consumer.close();
});

// The Worker constructor refuses V8 and per-process flags in an explicit execArgv (and Node 24's
// test runner hands its children dozens of them): slot workers inherit the flags instead.
test('slot workers start under Node flags a worker may not be given explicitly', async () => {
  const r = await eddyWithNodeFlags(
    ['--expose-gc', '--stack-trace-limit=20', '--v8-pool-size=2', '--max-old-space-size=1024'],
    '-p',
    '2',
    '-q',
    '--prop',
    'fixture.count=2000',
  );
  assert.equal(r.code, 0, r.stderr);
  const printed = lines(r.stdout).map((l) => l.replace(/^\d+> /, ''));
  assert.deepEqual(printed.sort(), lines(WORDS_AT_2000.replaceAll('=2000', '=250')));
});

test('findUnserializable names the path of functions and symbols', () => {
  assert.deepEqual(findUnserializable({ a: [1, { f: () => 1 }] }), {
    path: 'record.a[1].f',
    what: 'a function',
  });
  assert.deepEqual(findUnserializable(new Map([['k', Symbol('s')]])), {
    path: 'record.get("k")',
    what: 'a symbol',
  });
  assert.equal(findUnserializable({ d: new Date(), m: new Map([[1, [2]]]) }), undefined);
});

test('backpressure levels follow the OK / LOW / HIGH thresholds', () => {
  assert.equal(backPressureLevel(0.05), 'OK');
  assert.equal(backPressureLevel(0.1), 'LOW');
  assert.equal(backPressureLevel(0.5), 'HIGH');
  const t = new TaskTimes(0);
  t.busyMs = 300;
  t.backPressuredMs = 600;
  t.tick(1000);
  assert.deepEqual([t.busyPerSecond, t.backPressuredPerSecond, t.idlePerSecond], [300, 600, 100]);
});
