package dev.eddy.bench.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's measurement: how long one pipeline test takes in Flink as its users write them — a
 * fresh MiniCluster per test (Flink's {@link MiniClusterExtension}, as a per-test resource), a
 * {@code fromData} source of 10 records, {@code keyBy}, a stateful flatMap counting per key in
 * {@link ValueState}, {@code executeAndCollect}, then the assertion. Wall time from MiniCluster
 * start to the assertion, 10 runs; prints one JSON line with the median. Not part of npm test.
 */
class PipelineTestTimingTest {
  static final int RUNS = 10;

  /** Emits (key, running count) per record; the count lives in keyed ValueState. */
  static final class CountPerKey extends RichFlatMapFunction<String, Tuple2<String, Long>> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext ctx) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void flatMap(String key, Collector<Tuple2<String, Long>> out) throws Exception {
      Long c = count.value();
      long next = c == null ? 1 : c + 1;
      count.update(next);
      out.collect(Tuple2.of(key, next));
    }
  }

  static long runOnce() throws Exception {
    long t0 = System.nanoTime();
    MiniClusterExtension cluster = new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());
    cluster.beforeAll(null);
    cluster.beforeEach(null);
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      List<Tuple2<String, Long>> results = new ArrayList<>();
      try (CloseableIterator<Tuple2<String, Long>> it = env
          .fromData("a", "b", "a", "c", "b", "a", "d", "c", "a", "e")
          .keyBy(s -> s, Types.STRING)
          .flatMap(new CountPerKey())
          .returns(Types.TUPLE(Types.STRING, Types.LONG))
          .executeAndCollect()) {
        it.forEachRemaining(results::add);
      }
      Map<String, Long> last = new HashMap<>();
      for (Tuple2<String, Long> t : results) last.merge(t.f0, t.f1, Math::max);
      assertEquals(10, results.size());
      assertEquals(Map.of("a", 4L, "b", 2L, "c", 2L, "d", 1L, "e", 1L), last);
      return System.nanoTime() - t0;
    } finally {
      cluster.afterEach(null);
      cluster.afterAll(null);
    }
  }

  @Test
  void medianPipelineTestWallTime() throws Exception {
    long[] ms = new long[RUNS];
    for (int i = 0; i < RUNS; i++) ms[i] = runOnce() / 1_000_000;
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median = (sorted[RUNS / 2 - 1] + sorted[RUNS / 2]) / 2.0;
    System.out.println(String.format(java.util.Locale.ROOT,
        "{\"engine\":\"flink\",\"flinkVersion\":\"%s\",\"measure\":\"pipeline-test\",\"runs\":%d,"
            + "\"medianMs\":%.1f,\"minMs\":%d,\"maxMs\":%d,\"firstMs\":%d,\"runsMs\":%s}",
        org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), RUNS, median, sorted[0],
        sorted[RUNS - 1], ms[0], Arrays.toString(ms).replace(" ", "")));
  }
}
