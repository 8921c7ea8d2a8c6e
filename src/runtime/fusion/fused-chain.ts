/**
 * Operator fusion: a run of record-at-a-time operators connected one-to-one in the same thread
 * (map, filter, flatMap, keyed rolling reduce) becomes one generated function that calls each user
 * function directly and hands the record to the next stage in a local variable (a flatMap's
 * collector hands each record it emits to the rest of the chain). Nothing is
 * written to or read from an intermediate batch, and when the producer in front of the chain is
 * in the same thread (a source, say), it pushes each record straight into the chain, as a Flink
 * source pushes into its chained operators. See ADR 0006 for the design and the measurements.
 *
 * Only records take the fused path. Watermarks, idleness, checkpoint barriers and end of input
 * still travel operator by operator through their own gates and outputs, which stay connected;
 * the producer's output flushes the chain before it sends any of them, so nothing overtakes a
 * record. Each operator keeps its own lifecycle, context, state and metrics (records in and out
 * are added up per flush); busy time is counted for the chain as a whole, as for a chained Flink
 * task.
 *
 * @module
 */
import type { Emitter, RecordPushTarget } from '../emitter.ts';
import type { RecordBatch } from '../record-batch.ts';
import type { GateOperator, InputGate } from '../input-gate.ts';
import type { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import type { FusionStage } from '../operators/fusion-stage.ts';

/** One operator of a chain with the gate its records would have entered through. */
export interface ChainMember {
  readonly stage: FusionStage;
  readonly gate: InputGate;
}

/**
 * What the generated code offers (one class per chain shape). A producer pushes into it
 * directly: one call level less on the record path leaves more of V8's inlining budget for the
 * user functions.
 */
interface ChainCode extends RecordPushTarget {
  /** Records each stage emitted since the last call, then resets the counters. */
  takeCounts(counts: Float64Array): void;
}

type ChainCodeClass = new (parts: Readonly<Record<string, unknown>>) => ChainCode;

/**
 * Generated classes by chain shape. Chains of the same shape share their code, so a call site in
 * front of them (a source's output) keeps seeing one function from job to job, and V8 can inline
 * the whole chain into it.
 */
const classesByShape = new Map<string, ChainCodeClass>();

/** A chain of fused operators: the record handler of its first operator's gate, or of a producer. */
export class FusedChain implements GateOperator {
  private readonly code: ChainCode;
  private readonly counts: Float64Array;
  private readonly head: AbstractStreamOperator;
  private readonly last: AbstractStreamOperator;
  /** Records that came through the head's gate since the last sync (it counted them already). */
  private viaGate = 0;

  constructor(private readonly members: readonly ChainMember[]) {
    if (members.length === 0) throw new Error('a fused chain needs at least one operator');
    this.head = (members[0] as ChainMember).stage.operator;
    this.last = (members[members.length - 1] as ChainMember).stage.operator;
    this.counts = new Float64Array(members.length);
    const stages = members.map((m) => m.stage);
    const shape = shapeOf(stages);
    let Code = classesByShape.get(shape);
    if (Code === undefined) {
      Code = compileChain(stages, shape);
      classesByShape.set(shape, Code);
    }
    this.code = new Code(partsOf(stages, this.last, () => this.sync()));
  }

  /** The output of the producer that pushes into the chain, if one does. */
  private producerOutput: Emitter | undefined = undefined;

  /** Makes `producer` push its records straight into the chain. */
  attachProducer(producer: Emitter): void {
    this.producerOutput = producer;
    producer.chain = this.code;
    producer.chainOperators = this.members.map((m) => m.stage.operator.ref);
  }

  /** A batch that arrived through the head's gate. */
  processBatch(batch: RecordBatch): void {
    this.viaGate += batch.size;
    this.code.pushBatch(batch);
    this.sync();
  }

  processWatermark(watermark: number): void {
    this.head.processWatermark(watermark);
  }

  processIdle(idle: boolean): void {
    this.head.processIdle(idle);
  }

  endInput(): void {
    this.head.endInput();
  }

  wrapFailure(e: unknown, inRecord?: boolean): Error {
    // The generated code has already wrapped user failures with the failing operator's identity.
    return this.head.wrapFailure(e, inRecord);
  }

  /** Adds the records that passed each fused link to the metrics, and flushes the last output. */
  private sync(): void {
    const counts = this.counts;
    this.code.takeCounts(counts);
    const members = this.members;
    // What did not come through the head's gate was pushed by the producer: count it for both.
    const pushed = (counts[0] as number) - this.viaGate;
    this.viaGate = 0;
    (members[0] as ChainMember).gate.recordsIn += pushed;
    if (this.producerOutput !== undefined) this.producerOutput.recordsOut += pushed;
    for (let i = 0; i < members.length - 1; i++) {
      const c = counts[i + 1] as number;
      (members[i] as ChainMember).stage.operator.out.recordsOut += c;
      (members[i + 1] as ChainMember).gate.recordsIn += c;
    }
    this.last.flushOutputs();
  }
}

/** The code shape of a chain: stage kinds and which optional parts they use. */
function shapeOf(stages: readonly FusionStage[]): string {
  return stages
    .map((s) => {
      if (s.kind === 'reduce') return s.table !== undefined ? 'reduce-table' : 'reduce';
      if (s.kind === 'sink') return 'sink';
      return s.keySelector !== undefined ? `keyed-${s.kind}` : s.kind;
    })
    .join(',');
}

/** The values the generated code reads from its fields. */
function partsOf(
  stages: readonly FusionStage[],
  last: AbstractStreamOperator,
  full: () => void,
): Record<string, unknown> {
  const parts: Record<string, unknown> = {
    out: last.out,
    capacity: Math.max(1, last.out.capacity),
    full,
    fail: (s: number, e: unknown, v: unknown, t: number): Error => {
      const stage = stages[s] as FusionStage;
      return stage.operator.wrapStageFailure(e, v, t, stage.keySelector);
    },
  };
  stages.forEach((stage, i) => {
    parts[`b${i}`] = stage.backend;
    parts[`k${i}`] = stage.keySelector;
    if (stage.kind === 'reduce') {
      parts[`f${i}`] = stage.reduce;
      parts[`st${i}`] = stage.state;
      parts[`m${i}`] = stage.table;
    } else if (stage.kind === 'sink') {
      parts[`w${i}`] = stage.writer;
    } else {
      parts[`f${i}`] = stage.call;
      parts[`x${i}`] = stage.ctx;
    }
  });
  return parts;
}

/**
 * Generates the class of a chain shape. The source text comes from fixed templates and stage
 * indexes only, never from user input; user functions and state are fields of the instance.
 *
 * The record path is one method per *segment*: `push` runs the stages up to the first flatMap,
 * and each flatMap's collector calls the method of the segment after it (`rest<i>`) for every
 * record it emits, so a flatMap's outputs run through the rest of the chain synchronously, as in
 * a chained Flink task. The last segment writes to the chain's output batch.
 */
function compileChain(stages: readonly FusionStage[], shape: string): ChainCodeClass {
  const fields = new Set<string>(['out', 'capacity', 'full', 'fail']);
  // c0 counts records in; c(i+1) counts what stage i emitted when that can differ from what it
  // received (filters and flatMaps).
  const counters = ['c0'];
  const takes: string[] = ['    counts[0] = this.c0;'];
  let through = 'this.c0';
  let collectors = '';
  let collectorInit = '';
  let methods = '';
  // The segment being written: its method header and body.
  let header = '  push(v, t) {\n    this.c0++;\n';
  let body = '';
  // Each stage that makes a new record gets its own variable: an object that flows into no
  // shared variable (no phi) and is only read by inlined code can be scalar-replaced by V8 (the
  // source's record that the first map only reads, for example, is then never allocated).
  let cur = 'v';
  let vars = 0;
  const next = (): string => `v${++vars}`;
  stages.forEach((stage, i) => {
    // Each stage in its own try block: the handler knows which operator failed without a store
    // per record (a try costs nothing until something throws). A failure further down the chain
    // arrives already wrapped, and wrapping keeps it as it is.
    let code = '';
    let declare = '';
    // The stage's input, for naming the record (its key and timestamp) when the stage fails.
    const input = cur;
    if (stage.kind === 'sink') {
      // The end of the chain: the record goes to the writer, nothing to the output batch.
      fields.add(`w${i}`);
      code = `      this.w${i}.invoke(${cur}, t);\n`;
    } else if (stage.kind === 'reduce') {
      fields.add(`f${i}`).add(`st${i}`).add(`b${i}`).add(`k${i}`);
      const out = next();
      declare = `    let ${out};\n`;
      // Through the backend: any key (it normalizes object keys), any backend. Out of line, so
      // the common path below stays small enough for V8 to inline into the producer.
      methods += `  reduce${i}(key, value) {
    this.b${i}.setCurrentKey(key);
    const a = this.st${i}.value();
    const out = a === undefined ? value : this.f${i}(a, value);
    this.st${i}.update(out);
    return out;
  }\n`;
      if (stage.table !== undefined) {
        // Number keys and strings that need no escaping (see normalizeKey) read and write the
        // state's table directly (the common case); any other key goes through the backend,
        // which normalizes it or refuses it.
        fields.add(`m${i}`);
        code = `      const k = this.k${i}(${cur});
      if (typeof k !== 'number' && (typeof k !== 'string' || k.charCodeAt(0) === 0))
        ${out} = this.reduce${i}(k, ${cur});
      else {
        const a = this.m${i}.get(k);
        ${out} = a === undefined ? ${cur} : this.f${i}(a, ${cur});
        if (${out} === undefined) this.m${i}.delete(k);
        else this.m${i}.set(k, ${out});
      }\n`;
      } else {
        code = `      ${out} = this.reduce${i}(this.k${i}(${cur}), ${cur});\n`;
      }
      cur = out;
    } else {
      fields.add(`f${i}`).add(`x${i}`);
      if (stage.keySelector !== undefined) {
        fields.add(`b${i}`).add(`k${i}`);
        code += `      this.b${i}.setCurrentKey(this.k${i}(${cur}));\n`;
      }
      code += `      this.x${i}.currentTimestamp = t;\n`;
      if (stage.kind === 'map') {
        const out = next();
        declare = `    let ${out};\n`;
        code += `      ${out} = this.f${i}(${cur}, this.x${i});\n`;
        cur = out;
      } else if (stage.kind === 'filter') {
        code += `      if (!this.f${i}(${cur}, this.x${i})) return;\n`;
      } else {
        // flatMap: its collector hands each record to the next segment with this timestamp.
        collectors += `class FlatMapCollector${i} {
  constructor(chain) {
    this.chain = chain;
    this.t = Number.NaN;
  }
  collect(value) {
    this.chain.rest${i}(value, this.t);
  }
}\n`;
        collectorInit += `    this.o${i} = new FlatMapCollector${i}(this);\n`;
        code += `      const o = this.o${i};
      o.t = t;
      const r = this.f${i}(${cur}, o, this.x${i});
      if (r !== undefined) for (const x of r) o.collect(x);\n`;
      }
    }
    body += `${declare}    try {\n${code}    } catch (e) {\n      throw this.fail(${i}, e, ${input}, t);\n    }\n`;
    if (stage.kind === 'filter') body += `    this.c${i + 1}++;\n`;
    if (stage.kind === 'filter' || stage.kind === 'flatMap') {
      counters.push(`c${i + 1}`);
      through = `this.c${i + 1}`;
    }
    takes.push(`    counts[${i + 1}] = ${through};`);
    if (stage.kind === 'flatMap') {
      // The segment ends here; the next one starts with each record the flatMap emits.
      methods += `${header}${body}  }\n`;
      header = `  rest${i}(v, t) {\n    this.c${i + 1}++;\n`;
      body = '';
      cur = 'v';
    }
  });
  // A chained sink ends the chain; otherwise the last segment fills the last operator's output.
  const sinkEnds = stages[stages.length - 1]?.kind === 'sink';
  methods += sinkEnds
    ? `${header}${body}  }\n`
    : `${header}${body}    const b = this.out.batch;
    const n = b.size;
    b.values[n] = ${cur};
    b.timestamps[n] = t;
    b.size = n + 1;
    if (n + 1 >= this.capacity) this.full();
  }\n`;
  const fieldInit = [...fields].map((f) => `    this.${f} = parts.${f};`).join('\n');
  const counterInit = counters.map((c) => `    this.${c} = 0;`).join('\n');
  const source = `'use strict';
// eddy fused chain: ${shape}
${collectors}return class FusedChainCode {
  constructor(parts) {
${fieldInit}
${collectorInit}${counterInit}
  }
${methods}  flush() {
    this.full();
  }
  pushBatch(batch) {
    const values = batch.values;
    const timestamps = batch.timestamps;
    const size = batch.size;
    for (let i = 0; i < size; i++) this.push(values[i], timestamps[i]);
  }
  takeCounts(counts) {
${takes.join('\n')}
${counterInit}
  }
};`;
  // Generated from fixed templates (see above); nothing the user wrote becomes code.
  return new Function(source)() as ChainCodeClass;
}
