package dev.eddy.bench.state;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.tuple.Tuple2;
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
 *   run.sh keyed-state [--backend rocksdb|hashmap] [--keys 1000000] [--records 3000000]
 *                      [--runs 3] [--checkpoint-interval MS] [--incremental]
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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--backend" -> backend = args[++i];
        case "--keys" -> keys = Long.parseLong(args[++i]);
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--checkpoint-interval" -> interval = Long.parseLong(args[++i]);
        case "--incremental" -> incremental = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<Double> rates = new ArrayList<>();
    List<Double> perCpu = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      double[] m = run(backend, keys, records, interval, incremental);
      rates.add(m[0]);
      perCpu.add(m[1]);
      System.out.printf(
          "{\"engine\":\"flink\",\"backend\":\"%s\",\"incremental\":%b,\"keys\":%d,\"records\":%d,"
              + "\"rate\":%.0f,\"perCpuSecond\":%.0f}%n",
          backend, incremental, keys, records, m[0], m[1]);
    }
    System.out.printf(
        "flink %s keyBy→reduce, %d keys, %d records: median %.3f M records/s, %.3f M records per CPU"
            + " second%n",
        backend, keys, records, median(rates) / 1e6, median(perCpu) / 1e6);
  }

  static double[] run(String backend, long keys, long records, long interval, boolean incremental)
      throws Exception {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", backend);
    conf.setString("execution.checkpointing.incremental", Boolean.toString(incremental));
    String dir = Files.createTempDirectory("flink-keyed-state-").toUri().toString();
    conf.setString("execution.checkpointing.dir", dir);
    conf.setString("state.backend.rocksdb.localdir", Files.createTempDirectory("flink-rocksdb-").toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    if (interval > 0) env.enableCheckpointing(interval);
    final long k = keys;
    env.fromSequence(0, records - 1)
        .map(
            (MapFunction<Long, Tuple2<Long, Long>>)
                i -> Tuple2.of((((int) (long) i * 2654435761L) & 0xffffffffL) % k, 1L))
        .returns(org.apache.flink.api.common.typeinfo.Types.TUPLE(
            org.apache.flink.api.common.typeinfo.Types.LONG,
            org.apache.flink.api.common.typeinfo.Types.LONG))
        .keyBy(t -> t.f0)
        .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1))
        .sinkTo(new DiscardingSink<>());
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

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
