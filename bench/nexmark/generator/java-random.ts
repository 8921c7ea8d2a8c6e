/**
 * An exact port of `java.util.Random` (the 48-bit linear congruential generator of Knuth, TAOCP
 * 3.2.1) without BigInt: the 48-bit state is kept as two 24-bit halves so every intermediate
 * product fits a double exactly. The Java side of the benchmark (`JavaRandom.java` in
 * `bench/baselines/flink`) uses the same algorithm, so both generators draw identical numbers.
 */

const TWO_24 = 0x1000000;
/** 2^-24: `x * INV_2_24` is exact (a power of two) and cheaper than `x / TWO_24`. */
const INV_2_24 = 1 / TWO_24;
const MASK_24 = 0xffffff;
/** 0x5DEECE66D split into its high and low 24 bits. */
const MULT_HI = 0x5de;
const MULT_LO = 0xece66d;
const ADDEND = 0xb;
/** 2^-53, Java's `DOUBLE_UNIT`. */
const DOUBLE_UNIT = 1 / 9007199254740992;
const INT_MAX = 0x7fffffff;

/** A `java.util.Random` that can be re-seeded in place (no allocation per seed). */
export class JavaRandom {
  private hi = 0;
  private lo = 0;

  /** Creates a generator as `new java.util.Random(seed)` does; `seed` must be a safe integer. */
  constructor(seed: number) {
    this.setSeed(seed);
  }

  /**
   * Re-seeds as `java.util.Random#setSeed(long)`: state = (seed ^ 0x5DEECE66D) mod 2^48. Only the
   * low 48 bits of `seed` matter; `seed` must be a non-negative safe integer.
   */
  setSeed(seed: number): void {
    // No `%` here: seeds above 2^30 (the channel URLs' 0x43484e4c + c, any seed·2^32 + eventId)
    // are heap numbers, and once `%` has seen one V8 compiles it as a C call to fmod for every
    // later seed too. The quotient is below 2^29 for a safe integer, so it truncates to int32
    // exactly; the remainder is exact in double arithmetic.
    const q = Math.floor(seed * INV_2_24);
    this.lo = ((seed - q * TWO_24) ^ MULT_LO) & MASK_24;
    this.hi = (q ^ MULT_HI) & MASK_24;
  }

  /**
   * `setSeed(seed)` followed by one discarded `next(32)`. java.util.Random's first output after
   * seeding barely changes between consecutive seeds (their states differ by 0x5DEECE66D, a
   * 2^-13.5 fraction of the range), so per-event seeding with consecutive event ids would make
   * the first draw of neighbouring events nearly equal; one step of the LCG decorrelates them.
   */
  reseed(seed: number): void {
    this.setSeed(seed);
    this.next(32);
  }

  /** `java.util.Random#next(bits)` for 1 ≤ bits ≤ 32: a signed 32-bit result as Java's `(int)` cast gives. */
  next(bits: number): number {
    const lo = this.lo;
    const hi = this.hi;
    // The low half's product (< 2^48) is exact as a double, so the carry is too; the new halves
    // are their products' low 24 bits, exact in int32 arithmetic (Math.imul keeps the low 32
    // bits). This runs for every draw, ~16 times per event on average.
    const carry = Math.floor((lo * MULT_LO + ADDEND) * INV_2_24);
    const newLo = (Math.imul(lo, MULT_LO) + ADDEND) & MASK_24;
    const newHi = (Math.imul(hi, MULT_LO) + Math.imul(lo, MULT_HI) + carry) & MASK_24;
    this.lo = newLo;
    this.hi = newHi;
    // seed >>> (48 - bits), truncated to int as Java does.
    if (bits >= 24) return (newHi << (bits - 24)) | (newLo >>> (48 - bits)) | 0;
    return newHi >>> (24 - bits);
  }

  /** `next(31)`: the draw behind `nextInt(bound)`, without the `bits` branches of {@link next}. */
  next31(): number {
    const lo = this.lo;
    const hi = this.hi;
    const carry = Math.floor((lo * MULT_LO + ADDEND) * INV_2_24);
    const newLo = (Math.imul(lo, MULT_LO) + ADDEND) & MASK_24;
    const newHi = (Math.imul(hi, MULT_LO) + Math.imul(lo, MULT_HI) + carry) & MASK_24;
    this.lo = newLo;
    this.hi = newHi;
    return (newHi << 7) | (newLo >>> 17);
  }

  /** `java.util.Random#nextInt()`. */
  nextInt(): number {
    return this.next(32);
  }

  /** `java.util.Random#nextInt(bound)` (the legacy algorithm Java 17 keeps for `Random`). */
  nextIntBounded(bound: number): number {
    if (bound <= 0 || bound > INT_MAX)
      throw new RangeError(`bound must be in [1, 2^31-1]: ${bound}`);
    let r = this.next31();
    const m = bound - 1;
    // Power of two: (bound * (long) r) >> 31 == r >>> (31 - log2(bound)) == r >>> clz32(bound).
    if ((bound & m) === 0) return r >>> Math.clz32(bound);
    // Rejection as Java's: u - r + m overflowing int means u fell in the last, partial range.
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next31());
    return r;
  }

  /** `java.util.Random#nextLong()` as a BigInt (a signed 64-bit value). */
  nextLongBig(): bigint {
    const high = BigInt(this.next(32));
    const low = BigInt(this.next(32));
    return BigInt.asIntN(64, (high << 32n) + low);
  }

  /** `java.util.Random#nextDouble()`: 53 random bits in [0, 1). */
  nextDouble(): number {
    const a = this.next(26);
    const b = this.next(27);
    return (a * 134217728 + b) * DOUBLE_UNIT;
  }
}
