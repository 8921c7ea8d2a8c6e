package dev.eddy.bench.nexmark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Mirrors bench/nexmark/generator/generator-config.ts. */
public final class GeneratorConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final long DEFAULT_BASE_TIME = 1436918400000L;
  public static final double DEFAULT_EVENTS_PER_SECOND = 10_000;

  public final long baseTime;
  public final long firstEventId;
  public final long maxEvents;
  public final long firstEventNumber;
  public final double eventsPerSecond;
  public final int numGenerators;
  public final int seed;

  public GeneratorConfig(long baseTime, long firstEventId, long maxEvents, long firstEventNumber,
      double eventsPerSecond, int numGenerators, int seed) {
    this.baseTime = baseTime;
    this.firstEventId = firstEventId;
    this.maxEvents = maxEvents;
    this.firstEventNumber = firstEventNumber;
    this.eventsPerSecond = eventsPerSecond;
    this.numGenerators = numGenerators;
    this.seed = seed;
  }

  /** The unsplit configuration (baseTime, firstEventId = 1, maxEvents = N, firstEventNumber = 1). */
  public static GeneratorConfig create(long events, double eventsPerSecond, int seed) {
    if (seed < 0 || seed > 0xffff) throw new IllegalArgumentException("seed must be in [0, 65535]");
    return new GeneratorConfig(DEFAULT_BASE_TIME, 1, events, 1, eventsPerSecond, 1, seed);
  }

  public List<GeneratorConfig> split(int parallelism) {
    long per = maxEvents / parallelism;
    List<GeneratorConfig> out = new ArrayList<>();
    long first = firstEventId;
    for (int i = 0; i < parallelism; i++) {
      long max = i == parallelism - 1 ? maxEvents - per * (parallelism - 1) : per;
      out.add(new GeneratorConfig(baseTime, first, max, firstEventNumber, eventsPerSecond, parallelism, seed));
      first += max;
    }
    return out;
  }

  public double interEventDelayUs() {
    return 1_000_000 / eventsPerSecond * numGenerators;
  }

  public static long timestampForEventNumber(long baseTime, double delayUs, long eventNumber) {
    return baseTime + ((long) (eventNumber * delayUs)) / 1000L;
  }
}
