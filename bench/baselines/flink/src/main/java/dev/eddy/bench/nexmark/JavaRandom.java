package dev.eddy.bench.nexmark;

/**
 * The algorithm of {@link java.util.Random} (48-bit LCG) without its AtomicLong, so it can be
 * re-seeded per event cheaply. Draws are identical to java.util.Random and to the TypeScript port
 * bench/nexmark/generator/java-random.ts.
 */
public final class JavaRandom {
  private static final long MULTIPLIER = 0x5DEECE66DL;
  private static final long ADDEND = 0xBL;
  private static final long MASK = (1L << 48) - 1;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  private long seed;

  public JavaRandom(long seed) {
    setSeed(seed);
  }

  public void setSeed(long seed) {
    this.seed = (seed ^ MULTIPLIER) & MASK;
  }

  /** setSeed(seed) and one discarded next(32): decorrelates consecutive seeds (see java-random.ts). */
  public void reseed(long seed) {
    setSeed(seed);
    next(32);
  }

  static JavaRandom seeded(long seed) {
    JavaRandom r = new JavaRandom(0);
    r.reseed(seed);
    return r;
  }

  int next(int bits) {
    seed = (seed * MULTIPLIER + ADDEND) & MASK;
    return (int) (seed >>> (48 - bits));
  }

  public int nextInt() {
    return next(32);
  }

  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive");
    int r = next(31);
    int m = bound - 1;
    if ((bound & m) == 0) {
      r = (int) ((bound * (long) r) >> 31);
    } else {
      for (int u = r; u - (r = u % bound) + m < 0; u = next(31)) {}
    }
    return r;
  }

  public long nextLong() {
    return ((long) (next(32)) << 32) + next(32);
  }

  public double nextDouble() {
    return (((long) (next(26)) << 27) + next(27)) * DOUBLE_UNIT;
  }
}
