package dev.eddy.bench.nexmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;

/**
 * Runs one Nexmark query on Flink in a local (single-JVM MiniCluster) environment and prints one
 * JSON line: {"query","events","parallelism","seconds","cpuSeconds","outputCount",...}.
 *
 * <pre>
 * --query qN --events N [--parallelism P] [--rate EPS] [--seed S] [--output FILE] [--warmup N]
 *   [--variant idiomatic|tuned|hand]
 * --dump-events N [--parallelism P --split I] [--output FILE]
 * </pre>
 *
 * {@code seconds} and {@code cpuSeconds} are measured from the moment the first source reader
 * starts (after the MiniCluster and job are up) to the end of the job; {@code totalSeconds} and
 * {@code totalCpuSeconds} include cluster start-up and job submission.
 *
 * <p>Variants: {@code idiomatic} ({@link Queries}, Flink's defaults: object reuse off, generic types
 * allowed); {@code tuned} ({@link TunedQueries}, object reuse on, {@code pipeline.generic-types}
 * off); {@code hand} (as tuned, with the hand-written q5 and q11 operators). JVM flags are the
 * caller's (run.sh sets a fixed heap and a collector for tuned and hand).
 */
public final class NexmarkMain {
  static final LongAdder OUTPUT_COUNT = new LongAdder();
  static final AtomicLong FIRST_READER_NANOS = new AtomicLong();
  static final AtomicLong FIRST_READER_CPU = new AtomicLong();

  private NexmarkMain() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String k = argv[i];
      if (!k.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + k);
      String v = i + 1 < argv.length && !argv[i + 1].startsWith("--") ? argv[++i] : "true";
      args.put(k.substring(2), v);
    }
    int parallelism = Integer.parseInt(args.getOrDefault("parallelism", "1"));
    double rate = Double.parseDouble(args.getOrDefault("rate", "10000"));
    int seed = Integer.parseInt(args.getOrDefault("seed", "0"));
    String output = args.get("output");
    if (args.containsKey("dump-events")) {
      int split = Integer.parseInt(args.getOrDefault("split", "0"));
      DumpEvents.dump(Long.parseLong(args.get("dump-events")), parallelism, split, rate, seed, output);
      return;
    }
    String query = args.get("query");
    long events = Long.parseLong(args.getOrDefault("events", "1000000"));
    if (query == null || !Queries.NAMES.containsKey(query)) {
      throw new IllegalArgumentException("--query must be one of " + Queries.NAMES.keySet());
    }
    String variant = args.getOrDefault("variant", "idiomatic");
    if (!variant.equals("idiomatic") && !variant.equals("tuned") && !variant.equals("hand")) {
      throw new IllegalArgumentException("--variant must be idiomatic, tuned or hand");
    }
    long warmup = Long.parseLong(args.getOrDefault("warmup", "0"));
    if (warmup > 0) run(query, variant, warmup, parallelism, rate, seed, null);
    String result = run(query, variant, events, parallelism, rate, seed, output);
    System.out.println(result);
    System.out.flush();
    System.exit(0);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String run(String query, String variant, long events, int parallelism, double rate, int seed,
      String output) throws Exception {
    OUTPUT_COUNT.reset();
    FIRST_READER_NANOS.set(0);
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    boolean tuned = !variant.equals("idiomatic");
    if (tuned) {
      conf.set(PipelineOptions.OBJECT_REUSE, true);
      conf.set(PipelineOptions.GENERIC_TYPES, false);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    GeneratorConfig config = GeneratorConfig.create(events, rate, seed);
    DataStream<Event> source = env.fromSource(new NexmarkSource(config, parallelism), watermarks(), "nexmark")
        .setParallelism(parallelism);
    DataStream<Row> result =
        tuned ? TunedQueries.build(query, source, variant.equals("hand")) : Queries.build(query, source);
    result.sinkTo(new CountingSink()).name("count");
    if (output != null) {
      result.sinkTo(new CanonicalFileSink(output, Queries.NAMES.get(query))).setParallelism(1).name("file");
    }
    env.execute("nexmark-" + query);
    long t1 = System.nanoTime();
    long cpu1 = cpuNanos();
    long tr = FIRST_READER_NANOS.get() == 0 ? t0 : FIRST_READER_NANOS.get();
    long cr = FIRST_READER_NANOS.get() == 0 ? cpu0 : FIRST_READER_CPU.get();
    return String.format(java.util.Locale.ROOT,
        "{\"engine\":\"flink\",\"variant\":\"%s\",\"flinkVersion\":\"%s\",\"query\":\"%s\",\"events\":%d,\"parallelism\":%d,"
            + "\"seconds\":%.3f,\"cpuSeconds\":%.3f,\"outputCount\":%d,\"eventsPerSecond\":%.0f,"
            + "\"totalSeconds\":%.3f,\"totalCpuSeconds\":%.3f}",
        variant, org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), query, events, parallelism,
        (t1 - tr) / 1e9, (cpu1 - cr) / 1e9, OUTPUT_COUNT.sum(), events / ((t1 - tr) / 1e9),
        (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9);
  }

  /** Timestamps from {@code Event.dateTime}; watermark = max dateTime − 4 s (as Nexmark's DDL). */
  static WatermarkStrategy<Event> watermarks() {
    return WatermarkStrategy.<Event>forGenerator(ctx -> new WatermarkGenerator<Event>() {
          private long max = Long.MIN_VALUE + 4000;

          @Override
          public void onEvent(Event e, long ts, WatermarkOutput out) {
            if (e.dateTime > max) max = e.dateTime;
          }

          @Override
          public void onPeriodicEmit(WatermarkOutput out) {
            out.emitWatermark(new Watermark(max - 4000));
          }
        })
        .withTimestampAssigner((e, ts) -> e.dateTime);
  }

  static void markReaderStart() {
    if (FIRST_READER_NANOS.get() == 0) {
      long cpu = cpuNanos();
      if (FIRST_READER_NANOS.compareAndSet(0, System.nanoTime())) FIRST_READER_CPU.set(cpu);
    }
  }

  /** Counts records (the benchmark's blackhole sink). */
  static final class CountingSink implements Sink<Row> {
    @Override
    public SinkWriter<Row> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        private long n;

        @Override
        public void write(Row element, Context ctx) {
          n++;
        }

        @Override
        public void flush(boolean endOfInput) {
          OUTPUT_COUNT.add(n);
          n = 0;
        }

        @Override
        public void close() {
          OUTPUT_COUNT.add(n);
          n = 0;
        }
      };
    }
  }

  /** Writes canonical JSON lines (see bench/nexmark/canonical.ts); run with parallelism 1. */
  static final class CanonicalFileSink implements Sink<Row> {
    private final String path;
    private final String[] names;

    CanonicalFileSink(String path, String[] names) {
      this.path = path;
      this.names = names;
    }

    @Override
    public SinkWriter<Row> createWriter(WriterInitContext context) throws IOException {
      BufferedWriter w = Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8);
      return new SinkWriter<>() {
        @Override
        public void write(Row row, Context ctx) throws IOException {
          Map<String, Object> m = new HashMap<>();
          for (int i = 0; i < names.length; i++) m.put(names[i], row.getField(i));
          w.write(Canonical.json(m));
          w.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
          w.flush();
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }
  }
}
