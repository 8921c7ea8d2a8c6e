/**
 * The fuzz targets of issue #17, shared by the bounded CI run (`fuzz.test.ts`) and the long run
 * (`bench/fuzz.ts`, ≥ 1 M inputs per target): each is a fast-check arbitrary of inputs — mostly
 * valid inputs mutated (bytes flipped, cut, spliced, lengths blown up), some random — and a
 * check that the input ended in a value, a dead letter or a clear error. A crash is an error
 * that is not one: a TypeError or ReferenceError out of our code, an internal error of the CLI,
 * a 5xx of the API, or a non-Error thrown.
 *
 * @module
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  AvroDeserializationSchema,
  AvroSerializationSchema,
  type AvroSchema,
  JsonDeserializationSchema,
  ProtobufDeserializationSchema,
  ProtobufSerializationSchema,
} from '../../src/connectors/formats/index.ts';
import { EddyError } from '../../src/errors/eddy-error.ts';
import { environmentDefaults, runFlags } from '../../src/cli/commands/run-command.ts';
import { parseFlags } from '../../src/cli/parse-flags.ts';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint-loader.ts';
import type { CheckpointStore } from '../../src/runtime/checkpoint/checkpoint-store.ts';
import { decodeMetadata, sha256 } from '../../src/runtime/checkpoint/checkpoint-metadata.ts';
import {
  CollectSink,
  DataGenSource,
  StreamEnvironment,
  ValueStateDescriptor,
} from '../../src/index.ts';
import { runCli } from '../support/cli-in-process.ts';

/** One fuzz target. */
export interface FuzzTarget<T> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (an AssertionError) when the input did not end in a value or a clear error. */
  check(input: T): void | Promise<void>;
  /** Releases what the target set up. */
  close?(): Promise<void>;
  /** How many inputs one generated value holds (a batch of requests sent at once); 1 if absent. */
  inputsIn?(input: T): number;
  /** The memory of the process under test, after a GC (when it is not this one). */
  memory?(): Promise<MemorySample>;
}

/** A thrown value is a clear error: an Error with a message, not a crash of our own code. */
function assertClearError(e: unknown, what: string, allowTypeErrors = false): void {
  assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
  assert.ok(e.message.length > 0, `${what}: an error without a message`);
  if (!allowTypeErrors)
    assert.ok(
      !(e instanceof TypeError) && !(e instanceof ReferenceError),
      `${what}: crashed with ${e.name}: ${e.message}`,
    );
}

/** Mutations of valid bytes: flips, cuts, splices, inserted runs and blown-up length bytes. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      valid,
      fc.array(
        fc.record({
          kind: fc.constantFrom('flip', 'cut', 'insert', 'set', 'splice-ff'),
          at: fc.nat(),
          byte: fc.integer({ min: 0, max: 255 }),
          n: fc.integer({ min: 1, max: 16 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([bytes, ops]) => {
      let b = Buffer.from(bytes);
      for (const op of ops) {
        const at = b.length === 0 ? 0 : op.at % (b.length + 1);
        if (op.kind === 'flip' && at < b.length) b[at] = (b[at] as number) ^ (1 << (op.byte % 8));
        else if (op.kind === 'set' && at < b.length) b[at] = op.byte;
        else if (op.kind === 'cut') b = b.subarray(0, at);
        else if (op.kind === 'insert')
          b = Buffer.concat([b.subarray(0, at), Buffer.alloc(op.n, op.byte), b.subarray(at)]);
        else b = Buffer.concat([b.subarray(0, at), Buffer.alloc(op.n, 0xff), b.subarray(at)]);
      }
      return new Uint8Array(b);
    });
}

/** Inputs of a decoder: mutated valid records and random bytes. */
function decoderInputs(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: mutated(valid) },
    { weight: 1, arbitrary: valid },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

/** JSON records: valid JSON texts of `{user, n, tags}` and any JSON, mutated. */
export function jsonTarget(): FuzzTarget<Uint8Array> {
  const schema = new JsonDeserializationSchema<unknown>();
  const valid = fc.oneof(
    fc
      .record({ user: fc.string(), n: fc.integer(), tags: fc.array(fc.string()) })
      .map((v) => utf8(JSON.stringify(v))),
    fc.json().map(utf8),
    fc.nat({ max: 5000 }).map((d) => utf8(`${'['.repeat(d)}${']'.repeat(d)}`)),
  );
  return {
    name: 'json decoder',
    arbitrary: decoderInputs(valid),
    check(bytes) {
      try {
        schema.deserialize(bytes);
      } catch (e) {
        // JSON.parse's SyntaxError (or a RangeError for absurd nesting), or the UTF-8 decoder's
        // TypeError ERR_ENCODING_INVALID_ENCODED_DATA, is the dead letter's reason.
        const invalidUtf8 =
          (e as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
        assertClearError(e, 'json', invalidUtf8);
      }
    },
  };
}

const AVRO_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'qty', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
    { name: 'raw', type: 'bytes' },
  ],
};

/** Avro records of a record schema with every container type, mutated. */
export function avroTarget(): FuzzTarget<Uint8Array> {
  const reader = new AvroDeserializationSchema<unknown>(AVRO_SCHEMA);
  const writer = new AvroSerializationSchema<unknown>(AVRO_SCHEMA);
  const valid = fc
    .record({
      id: fc.string(),
      amount: fc.double({ noNaN: true }),
      qty: fc.integer(),
      tags: fc.array(fc.string(), { maxLength: 4 }),
      attrs: fc.dictionary(fc.string(), fc.integer({ min: -1000, max: 1000 }), { maxKeys: 3 }),
      note: fc.option(fc.string(), { nil: null }),
      kind: fc.constantFrom('A', 'B'),
      raw: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    })
    .map((v) => new Uint8Array(writer.serialize(v)));
  return {
    name: 'avro decoder',
    arbitrary: decoderInputs(valid),
    check(bytes) {
      try {
        reader.deserialize(bytes);
      } catch (e) {
        // avsc reports truncation and bad values with plain Errors; a length prefix blown up
        // to gigabytes must fail the same way, not allocate.
        assertClearError(e, 'avro', true);
      }
    },
  };
}

const PROTO = {
  proto: `syntax = "proto3";
    message Inner { string name = 1; repeated int32 codes = 2; }
    message Click { string user_id = 1; int64 ts = 2; double price = 3; repeated string tags = 4;
      Inner inner = 5; map<string, int64> counts = 6; bytes raw = 7; bool ok = 8; sint32 delta = 9; }`,
  messageType: 'Click',
};

/** Protobuf records of a message with nested, repeated, map and bytes fields, mutated. */
export function protobufTarget(): FuzzTarget<Uint8Array> {
  const reader = new ProtobufDeserializationSchema<unknown>(PROTO);
  const writer = new ProtobufSerializationSchema<Record<string, unknown>>(PROTO);
  const valid = fc
    .record({
      user_id: fc.string(),
      ts: fc.integer(),
      price: fc.double({ noNaN: true }),
      tags: fc.array(fc.string(), { maxLength: 3 }),
      inner: fc.record({ name: fc.string(), codes: fc.array(fc.integer(), { maxLength: 3 }) }),
      counts: fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
      raw: fc.uint8Array({ maxLength: 8 }),
      ok: fc.boolean(),
      delta: fc.integer({ min: -1000, max: 1000 }),
    })
    .map((v) => new Uint8Array(writer.serialize(v)));
  return {
    name: 'protobuf decoder',
    arbitrary: decoderInputs(valid),
    check(bytes) {
      try {
        reader.deserialize(bytes);
      } catch (e) {
        // protobufjs throws RangeError ("index out of range") for truncation: a clear error.
        assertClearError(e, 'protobuf', true);
      }
    },
  };
}

/** A flag value or a stray argument: what users type, and what they mistype. */
const flagToken = fc.oneof(
  fc.constantFrom(...runFlags.map((f) => `--${f.name}`)),
  fc.constantFrom(...runFlags.map((f) => `--${f.name}=`)),
  fc.constantFrom('-p', '-q', '-h', '--', '-', '--=', '---x', '--no-such-flag', '--Parallelism'),
  fc.constantFrom(
    '1',
    '0',
    '-1',
    '2.5',
    'NaN',
    '1e9',
    '10s',
    '1 m',
    'ms',
    'true',
    'none',
    's3://',
    '',
    ' ',
  ),
  fc.string({ maxLength: 12 }),
);

/** The CLI's flag parser and the environment it builds, on random argument vectors. */
export function cliFlagsTarget(): FuzzTarget<string[]> {
  return {
    name: 'cli flags',
    arbitrary: fc.array(
      fc.oneof(
        flagToken,
        fc
          .tuple(
            fc.constantFrom(...runFlags.map((f) => `--${f.name}=`)),
            fc.string({ maxLength: 8 }),
          )
          .map(([a, b]) => a + b),
      ),
      { maxLength: 8 },
    ),
    check(argv) {
      try {
        const { flags } = parseFlags(argv, runFlags, 'run');
        environmentDefaults(flags);
      } catch (e) {
        assert.ok(e instanceof EddyError, `cli flags ${JSON.stringify(argv)}: ${String(e)}`);
        assert.ok(
          e.code === 'CLI_USAGE' || e.domain === 'user',
          `${JSON.stringify(argv)}: ${e.code}`,
        );
      }
    },
  };
}

/** A small checkpoint made by a real job: `dir/chk/chk-N` with `_metadata` and state files. */
export async function sampleCheckpoint(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-fuzz-cp-'));
  const env = StreamEnvironment.create({
    checkpointInterval: 50,
    checkpointDir: join(dir, 'chk'),
    handleSignals: false,
    restartStrategy: { type: 'none' },
  });
  env
    .fromSource(new DataGenSource((i) => ({ k: `k${i % 5}` }), { count: 400, rowsPerSecond: 4000 }))
    .uid('gen')
    .keyBy((e) => e.k)
    .map((e, ctx) => {
      const s = ctx.getState(new ValueStateDescriptor<{ n: number; last: string }>('n'));
      s.update({ n: (s.value()?.n ?? 0) + 1, last: e.k });
      return e.k;
    })
    .uid('count')
    .sinkTo(new CollectSink());
  await env.execute('fuzz-sample');
  const chk = join(dir, 'chk');
  const newest = readdirSync(chk)
    .filter((n) => /^chk-\d+$/.test(n))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .pop() as string;
  return join(chk, newest);
}

/** A checkpoint's files, by name. */
type Files = ReadonlyMap<string, Uint8Array>;

function readFiles(dir: string): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const n of readdirSync(dir)) m.set(n, new Uint8Array(readFileSync(join(dir, n))));
  return m;
}

/**
 * Mutated checkpoints: one file mutated as it lies (checksums catch it), or mutated *with the
 * checksums made to match* — the state file's size and sha256 in `_metadata`, `_metadata`'s own
 * header — so the mutation reaches the JSON and the state decoder behind them.
 */
function mutatedCheckpoints(base: Files): fc.Arbitrary<Files> {
  const names = [...base.keys()];
  return fc
    .tuple(fc.constantFrom(...names), fc.boolean(), mutated(fc.constant(new Uint8Array(0))))
    .chain(([name, rechecksum]) =>
      mutated(fc.constant(base.get(name) as Uint8Array)).map((bytes) => {
        const files = new Map(base);
        if (!rechecksum) {
          files.set(name, bytes);
          return files;
        }
        const meta = Buffer.from(base.get('_metadata') as Uint8Array).toString('utf8');
        const body = meta.slice(meta.indexOf('\n') + 1);
        let newBody = body;
        if (name === '_metadata') {
          // Mutate the JSON body itself, then seal it with a matching header.
          newBody = Buffer.from(bytes).toString('utf8');
        } else {
          files.set(name, bytes);
          const m = JSON.parse(body) as {
            operators: { subtasks: { file: string; bytes: number; sha256: string }[] }[];
          };
          for (const op of m.operators)
            for (const st of op.subtasks)
              if (st.file === name) {
                st.bytes = bytes.byteLength;
                st.sha256 = sha256(bytes);
              }
          newBody = JSON.stringify(m);
        }
        files.set('_metadata', utf8(`EDDY-CHECKPOINT 1 sha256=${sha256(newBody)}\n${newBody}`));
        return files;
      }),
    );
}

/** A read-only in-memory store of one checkpoint's files. */
function memoryStore(files: Files): CheckpointStore {
  return {
    write: () => Promise.reject(new Error('read-only')),
    read: async (_loc: string, name: string) => {
      const f = files.get(name);
      if (f === undefined) throw new Error(`${name} does not exist`);
      return f;
    },
    list: async () => ['chk-1'],
    remove: async () => {},
    pathOf: (loc: string) => `memory:${loc}`,
    close: async () => {},
  } as unknown as CheckpointStore;
}

/** The checkpoint reader (`loadCheckpoint`: metadata, checksums, state decoding) on mutated checkpoints. */
export function checkpointReaderTarget(checkpoint: string): FuzzTarget<Files> {
  const base = readFiles(checkpoint);
  return {
    name: 'checkpoint reader',
    arbitrary: mutatedCheckpoints(base),
    async check(files) {
      try {
        const cp = await loadCheckpoint(memoryStore(files), 'chk-1');
        assert.ok(cp.operators.size >= 0);
      } catch (e) {
        assertClearError(e, 'checkpoint reader');
      }
      try {
        decodeMetadata(files.get('_metadata') ?? new Uint8Array(0));
      } catch (e) {
        assertClearError(e, 'decodeMetadata');
      }
    },
  };
}

/** The `eddy state` command lines the state target runs, one per input. */
const stateArgvs = [
  [] as string[],
  ['--operator', 'count', '--limit', '0'],
  ['--operator', 'count', '--json'],
];

/**
 * `eddy state` on mutated checkpoint files on disk, one of three command lines per input. The
 * files lie on a tmpfs where there is one (`/dev/shm`) and only those that differ from what is
 * on disk are rewritten: opening files on the root filesystem took a third of the time.
 */
export function stateCommandTarget(checkpoint: string): FuzzTarget<readonly [Files, string[]]> {
  const base = readFiles(checkpoint);
  const scratch = mkdtempSync(
    join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'eddy-fuzz-state-'),
  );
  const dir = join(scratch, 'chk-1');
  mkdirSync(dir, { recursive: true });
  const onDisk = new Map<string, Uint8Array>();
  return {
    name: 'eddy state',
    arbitrary: fc.tuple(mutatedCheckpoints(base), fc.constantFrom(...stateArgvs)),
    async check([files, flags]) {
      for (const name of base.keys()) {
        const bytes = files.get(name) ?? new Uint8Array(0);
        if (onDisk.get(name) === bytes) continue;
        writeFileSync(join(dir, name), bytes);
        onDisk.set(name, bytes);
      }
      const argv = ['state', dir, ...flags];
      const r = await runCli(argv);
      const all = r.stdout + r.stderr;
      assert.doesNotMatch(all, /internal error/, `${argv.join(' ')}:\n${all}`);
      if (r.code !== 0) assert.match(r.stderr, /^eddy: error: /m, `${argv.join(' ')}:\n${all}`);
    },
    close: async () => rmSync(scratch, { recursive: true, force: true }),
  };
}

/** One request made from the OpenAPI document. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

interface OpenApi {
  readonly paths: Record<string, Record<string, unknown>>;
}

const segment = fc.oneof(
  fc.constantFrom(
    'app',
    'a-1',
    'x'.repeat(300),
    '..',
    '%2e%2e',
    '%00',
    'ünï',
    '1',
    '-',
    'op-1',
    'snap-1',
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

/** A JSON body: what the schemas ask for, with wrong types, extra fields and garbage mixed in. */
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        name: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
        artifact: fc.oneof(fc.string({ maxLength: 70 }), fc.constant(null)),
        parallelism: fc.oneof(fc.integer({ min: -2, max: 100_000 }), fc.string()),
        units: fc.oneof(fc.integer({ min: -2, max: 100 }), fc.double()),
        config: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
        mode: fc.constantFrom('savepoint', 'drain', 'cancel', 'bogus'),
        upgradeMode: fc.constantFrom('savepoint', 'stateless', 'last-state', 'x'),
        snapshot: fc.string({ maxLength: 20 }),
        allowNonRestoredState: fc.oneof(fc.boolean(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
);

/** Memory of a process, as `process.memoryUsage()` reports it. */
export type MemorySample = ReturnType<typeof process.memoryUsage>;

/** An `eddy server` in a child process (`fuzz-server-child.ts`). */
interface ServerChild {
  readonly url: string;
  /** The server's memory after a full GC in it. */
  memory(): Promise<MemorySample>;
  close(): Promise<void>;
}

async function startServerChild(options: Record<string, unknown>): Promise<ServerChild> {
  const child = fork(
    fileURLToPath(new URL('./fuzz-server-child.ts', import.meta.url)),
    [JSON.stringify(options)],
    {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = <T>(pick: (m: unknown) => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        const v = pick(m);
        if (v === undefined) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(v);
      };
      const onExit = (code: number | null): void => {
        child.off('message', onMessage);
        reject(new Error(`the fuzzed eddy server exited (${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const url = await next((m) => (m as { url?: string }).url);
  return {
    url,
    memory() {
      const answer = next((m) => (m as { memory?: MemorySample }).memory);
      child.send('memory');
      return answer;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}

/** Requests re-sent because the server had closed their kept-alive connection (see {@link send}). */
export const resent = { count: 0 };

/**
 * One HTTP exchange on a kept-alive connection (node:http: a third of fetch's cost per request).
 * A server may close an idle kept-alive connection at any time, for instance after answering a
 * request whose body it did not read, and a request already on its way over it then fails:
 * such a request (and only such a one, on a *reused* socket) is re-sent once, as HTTP clients
 * do. A connection dropped under a fresh request is the server's failure.
 */
function send(
  agent: Agent,
  url: string,
  r: ApiRequest,
  retried = false,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${r.path}${r.query}`,
      {
        method: r.method,
        // node:http frames a DELETE's body only when told its length (fetch always does).
        headers:
          r.body === undefined
            ? r.headers
            : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
        agent,
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in 10 s: ${r.method} ${r.path}`)));
    req.on('error', (e) => {
      if (!req.reusedSocket || retried) return reject(e);
      resent.count++;
      resolve(send(agent, url, r, true));
    });
    req.end(r.body);
  });
}

/**
 * The REST API of `eddy server` driven from its OpenAPI document (`GET /v1/openapi.json`):
 * every path and method it lists (and some it does not), path parameters, queries, bodies and
 * headers generated and mutated. Every answer must be a 2xx–4xx with the API's error body for
 * errors — never a 5xx, a hang or a dropped connection. The server runs in a child process;
 * `memory()` samples its heap. Each generated value is a batch of `concurrency` requests sent
 * at once (over as many connections), as a busy server sees them.
 */
export async function restApiTarget(concurrency = 1): Promise<FuzzTarget<readonly ApiRequest[]>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-fuzz-server-'));
  const token = 'fuzz-admin-token-0123456789abcdef';
  const server = await startServerChild({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    bootstrapToken: token,
    capacityUnits: 2,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  /** One request; throws when its answer is a 5xx or an error without the API's error body. */
  const exchange = async (r: ApiRequest): Promise<void> => {
    const res = await send(agent, server.url, r);
    const text = res.text;
    const what = `${r.method} ${r.path}${r.query} ${r.body ?? ''} → ${res.status} ${text.slice(0, 300)}`;
    assert.ok(res.status < 500, what);
    if (res.status >= 400 && r.method !== 'HEAD') {
      const err =
        (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error ?? {};
      assert.equal(typeof err.code, 'string', what);
      assert.equal(typeof err.message, 'string', what);
    }
  };
  const doc = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as OpenApi;
  const routes: { method: string; template: string }[] = [];
  for (const [template, methods] of Object.entries(doc.paths))
    for (const method of Object.keys(methods))
      routes.push({ method: method.toUpperCase(), template });
  assert.ok(routes.length >= 10, `the OpenAPI document lists ${routes.length} routes`);
  const request = fc
    .record({
      route: fc.constantFrom(
        ...routes,
        { method: 'PATCH', template: '/v1/applications/{name}' },
        { method: 'GET', template: '/v1/nope' },
      ),
      params: fc.array(segment, { minLength: 3, maxLength: 3 }),
      query: fc.oneof(
        fc.constant(''),
        fc.constantFrom('?limit=1', '?limit=-1', '?limit=abc', '?since=x&limit=99999999999'),
        fc
          .string({ maxLength: 12 })
          .map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
      ),
      auth: fc.constantFrom('good', 'good', 'good', 'none', 'bad', 'malformed'),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'text/plain',
        'application/octet-stream',
        '',
      ),
      body,
    })
    .map(({ route, params, query, auth, contentType, body: b }): ApiRequest => {
      let i = 0;
      const path = route.template.replace(/\{[^}]+\}/g, () => params[i++] as string);
      const headers: Record<string, string> = {};
      if (auth === 'good') headers['authorization'] = `Bearer ${token}`;
      else if (auth === 'bad') headers['authorization'] = 'Bearer nope';
      else if (auth === 'malformed') headers['authorization'] = 'Basic Zm9vOmJhcg==';
      if (b !== undefined && contentType !== '') headers['content-type'] = contentType;
      const withBody = b !== undefined && route.method !== 'GET' && route.method !== 'HEAD';
      return { method: route.method, path, query, headers, body: withBody ? b : undefined };
    });
  return {
    name: 'REST API',
    arbitrary: fc.array(request, { minLength: concurrency, maxLength: concurrency }),
    inputsIn: (batch) => batch.length,
    async check(batch) {
      await Promise.all(batch.map((r) => exchange(r)));
    },
    memory: () => server.memory(),
    async close() {
      agent.destroy();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
