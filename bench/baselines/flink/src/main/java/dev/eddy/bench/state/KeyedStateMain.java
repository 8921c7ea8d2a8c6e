package dev.eddy.bench.state;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Issue 19's Flink baseline: the job of {@code bench/large-state.ts} — a sequence of N records
 * keyed by a multiplicative hash over K keys, {@code keyBy → reduce} (a running sum per key) into
 * a discarding sink — on the RocksDB state backend (optionally with incremental checkpoints) or
 * the HashMap one, parallelism 1, local MiniCluster. Records per second are measured over the
 * job's execution (cluster start-up excluded); CPU is the whole JVM's over the same span.
 *
 * <pre>
 *   run.sh keyed-state [--job reduce|window|mapstate] [--backend rocksdb|hashmap] [--keys 1000000]
 *                      [--records 3000000] [--runs 3] [--checkpoint-interval MS] [--incremental]
 *                      [--timers rocksdb|heap]
 * </pre>
 *
 * <p>{@code --timers}: where the RocksDB backend keeps timers ({@code
 * state.backend.rocksdb.timer-service.factory}); Flink's default is {@code rocksdb}, {@code heap}
 * is where Eddy keeps them (ADR 0026), so it is the like-for-like peer of the window job.
 *
 * <pre>
 * </pre>
 */
public final class KeyedStateMain {
  public static void main(String[] args) throws Exception {
    String backend = "rocksdb";
    long keys = 1_000_000;
    long records = 3_000_000;
    int runs = 3;
    long interval = 0;
    boolean incremental = false;
    String job = "reduce";
    String timers = "rocksdb";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backend" -> backend = args[++i];
        case "--keys" -> keys = Long.parseLong(args[++i]);
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--checkpoint-interval" -> interval = Long.parseLong(args[++i]);
        case "--incremental" -> incremental = true;
        case "--job" -> job = args[++i];
        case "--timers" -> timers = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Double> rates = new ArrayList<>();
    List<Double> perCpu = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      double[] m = run(job, backend, keys, records, interval, incremental, timers);
      rates.add(m[0]);
      perCpu.add(m[1]);
      System.out.printf(
          "{\"engine\":\"flink\",\"job\":\"%s\",\"backend\":\"%s\",\"timers\":\"%s\","
              + "\"incremental\":%b,\"keys\":%d,\"records\":%d,\"rate\":%.0f,"
              + "\"perCpuSecond\":%.0f}%n",
          job, backend, timers, incremental, keys, records, m[0], m[1]);
    }
    System.out.printf(
        "flink %s %s, %d keys, %d records: median %.3f M records/s, %.3f M records per CPU"
            + " second%n",
        backend, job, keys, records, median(rates) / 1e6, median(perCpu) / 1e6);
  }

  static double[] run(
      String job,
      String backend,
      long keys,
      long records,
      long interval,
      boolean incremental,
      String timers)
      throws Exception {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", backend);
    conf.setString("state.backend.rocksdb.timer-service.factory", timers.toUpperCase());
    // Managed memory (RocksDB's block cache and write buffers) set explicitly, as Eddy's
    // stateMemory is; MANAGED_MEMORY overrides it.
    conf.setString(
        "taskmanager.memory.managed.size", System.getenv().getOrDefault("MANAGED_MEMORY", "256m"));
    conf.setString("execution.checkpointing.incremental", Boolean.toString(incremental));
    String dir = Files.createTempDirectory("flink-keyed-state-").toUri().toString();
    conf.setString("execution.checkpointing.dir", dir);
    conf.setString("state.backend.rocksdb.localdir", Files.createTempDirectory("flink-rocksdb-").toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.getConfig().enableObjectReuse();
    if (interval > 0) env.enableCheckpointing(interval);
    final long k = keys;
    final long window = Math.max(1, (records + 9) / 10);
    // (key, 1, record index): the index is the event time of the window job and picks the field
    // of the MapState job, as in bench/large-state.ts.
    var input =
        env.fromSequence(0, records - 1)
            .map(
                (MapFunction<Long, Tuple3<Long, Long, Long>>)
                    i -> Tuple3.of((((int) (long) i * 2654435761L) & 0xffffffffL) % k, 1L, i))
            .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));
    switch (job) {
      case "reduce" -> input
          .keyBy(t -> t.f0)
          .reduce((a, b) -> Tuple3.of(a.f0, a.f1 + b.f1, b.f2))
          .sinkTo(new DiscardingSink<>());
      case "window" -> input
          .assignTimestampsAndWatermarks(
              WatermarkStrategy.<Tuple3<Long, Long, Long>>forMonotonousTimestamps()
                  .withTimestampAssigner((t, ts) -> t.f2))
          .keyBy(t -> t.f0)
          .window(TumblingEventTimeWindows.of(Duration.ofMillis(window)))
          .reduce((a, b) -> Tuple3.of(a.f0, a.f1 + b.f1, b.f2))
          .sinkTo(new DiscardingSink<>());
      case "mapstate" -> input
          .keyBy(t -> t.f0)
          .process(new MapStateCounts())
          .sinkTo(new DiscardingSink<>());
      default -> throw new IllegalArgumentException("--job reduce|window|mapstate, not " + job);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    var result = env.execute("keyed-state");
    double seconds = result.getNetRuntime() / 1000.0;
    long cpu = os.getProcessCpuTime() - cpu0;
    // CPU over the whole execute() (submission included), wall over the job's own run time.
    return new double[] {records / seconds, records / (cpu / 1e9)};
  }

  /** Counts per key in a MapState of four fields (record i adds to field i % 4). */
  static final class MapStateCounts
      extends KeyedProcessFunction<Long, Tuple3<Long, Long, Long>, Long> {
    private transient MapState<Integer, Long> fields;

    @Override
    public void open(OpenContext ctx) {
      fields =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("fields", Types.INT, Types.LONG));
    }

    @Override
    public void processElement(Tuple3<Long, Long, Long> r, Context ctx, Collector<Long> out)
        throws Exception {
      int f = (int) (r.f2 & 3);
      Long old = fields.get(f);
      long n = (old == null ? 0 : old) + r.f1;
      fields.put(f, n);
      if ((r.f2 & 1023) == 0) out.collect(n);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
