/**
 * The host side of the generator's WebAssembly kernel (`assembly/event-kernel.ts`, ADR 0025): one
 * instance per split, its memory read through two views.
 */
import { readFileSync } from 'node:fs';
import type { GeneratorConfig } from './generator-config.ts';
import { interEventDelayUs } from './generator-config.ts';
import { FIRST_NAMES, LAST_NAMES, US_CITIES, US_STATES } from './person-generator.ts';
import { PRICE_TABLE } from './price.ts';

/** The compiled kernel; `npm run build:nexmark-kernel` rebuilds it from `assembly/`. */
export const EVENT_KERNEL_WASM = new URL('./event-kernel.wasm', import.meta.url);

/** f64 fields per event row (the kernel's `ROW_FIELDS`). */
export const ROW_FIELDS = 14;
/** Events per `generate` call at most (the kernel's `BATCH`). */
export const KERNEL_BATCH = 512;

/**
 * The WebAssembly API as far as it is used here: the project compiles without the DOM library,
 * which is where TypeScript declares it.
 */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  init(
    seed: number,
    firstEventId: number,
    firstEventNumber: number,
    baseTime: number,
    delayUs: number,
  ): void;
  generate(n: number): number;
  layout(which: number): number;
}

let compiled: object | undefined;

function kernelModule(): object {
  // Compiled once per thread, synchronously (3.7 KB); each split gets its own instance.
  compiled ??= new wasm.Module(readFileSync(EVENT_KERNEL_WASM));
  return compiled;
}

/** Writes the byte lengths of `values` at `offset` (the kernel sizes persons with them). */
function writeLengths(bytes: Buffer, offset: number, values: readonly string[]): void {
  for (let i = 0; i < values.length; i++) bytes[offset + i] = (values[i] as string).length;
}

/**
 * One split's kernel: `generate(n)` draws the next `n` events into {@link rows} (event i at
 * `i · ROW_FIELDS`) and their random strings into {@link bytes} (absolute offsets in the rows).
 */
export class EventKernel {
  /** The event rows of the last `generate`. */
  readonly rows: Float64Array;
  /** The kernel's whole memory, for the strings' bytes. */
  readonly bytes: Buffer;
  private readonly exports: KernelExports;

  constructor(config: GeneratorConfig) {
    const instance = new wasm.Instance(kernelModule(), { env: { pow: Math.pow } });
    const exports = instance.exports as unknown as KernelExports;
    if (exports.layout(2) !== KERNEL_BATCH || exports.layout(3) !== ROW_FIELDS) {
      throw new Error(
        'event-kernel.wasm does not match event-kernel.ts: run npm run build:nexmark-kernel',
      );
    }
    this.exports = exports;
    const memory = exports.memory.buffer;
    this.rows = new Float64Array(memory, 0, KERNEL_BATCH * ROW_FIELDS);
    this.bytes = Buffer.from(memory);
    new Float64Array(memory, exports.layout(1), PRICE_TABLE.length).set(PRICE_TABLE);
    const lengths = exports.layout(4);
    writeLengths(this.bytes, lengths, FIRST_NAMES);
    writeLengths(this.bytes, lengths + 16, LAST_NAMES);
    writeLengths(this.bytes, lengths + 32, US_CITIES);
    writeLengths(this.bytes, lengths + 48, US_STATES);
    exports.init(
      config.seed,
      config.firstEventId,
      config.firstEventNumber,
      config.baseTime,
      interEventDelayUs(config),
    );
  }

  /** Draws the next `n` (≤ {@link KERNEL_BATCH}) events of the split into {@link rows}. */
  generate(n: number): void {
    this.exports.generate(n);
  }
}
