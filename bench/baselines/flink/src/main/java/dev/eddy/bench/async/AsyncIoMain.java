package dev.eddy.bench.async;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Issue 8's Flink baseline: the enrichment job of {@code bench/async-io.ts} with Flink's
 * AsyncDataStream (capacity 100) against the same local profile service, through the JDK's
 * asynchronous HttpClient (HTTP/1.1, keep-alive). Parallelism 1, local MiniCluster. Throughput is
 * measured from the first request to the last answer (cluster start-up excluded); CPU is the
 * whole JVM's.
 *
 * <pre>
 *   run.sh async-io [--records 20000] [--runs 5] [--capacity 100]
 * </pre>
 */
public final class AsyncIoMain {
  static final AtomicLong firstInvokeNanos = new AtomicLong();
  static final AtomicLong lastCompleteNanos = new AtomicLong();

  public static void main(String[] args) throws Exception {
    String url = null;
    long records = 20_000;
    int runs = 5;
    int capacity = 100;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--capacity" -> capacity = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (url == null) throw new IllegalArgumentException("--url is required");
    for (boolean ordered : new boolean[] {false, true}) {
      run(url, records, capacity, ordered); // warm-up
      List<Double> rps = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        double[] m = run(url, records, capacity, ordered);
        rps.add(m[0]);
        cpu.add(m[1]);
      }
      List<Long> rounded = new ArrayList<>();
      for (double v : rps) rounded.add(Math.round(v));
      double cpuMs = median(cpu);
      System.out.printf(
          "{\"engine\":\"flink\",\"variant\":\"flink AsyncDataStream %s, capacity %d\","
              + "\"runs\":%d,\"recordsPerSecond\":%d,\"runsRecordsPerSecond\":%s,"
              + "\"cpuMsPerRecord\":%.4f,\"recordsPerCpuSecond\":%d}%n",
          ordered ? "orderedWait" : "unorderedWait",
          capacity,
          runs,
          Math.round(median(rps)),
          rounded,
          cpuMs,
          Math.round(1000 / cpuMs));
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** One run; returns records per second and JVM CPU ms per record. */
  static double[] run(String url, long records, int capacity, boolean ordered) throws Exception {
    Configuration conf = new Configuration();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    DataStream<Long> ids = env.fromSequence(0, records - 1);
    Lookup lookup = new Lookup(url);
    DataStream<String> enriched =
        ordered
            ? AsyncDataStream.orderedWait(ids, lookup, 10, TimeUnit.SECONDS, capacity)
            : AsyncDataStream.unorderedWait(ids, lookup, 10, TimeUnit.SECONDS, capacity);
    enriched.sinkTo(new DiscardingSink<>());
    firstInvokeNanos.set(0);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    env.execute("async-io-bench");
    long cpu = os.getProcessCpuTime() - cpu0;
    double seconds = (lastCompleteNanos.get() - firstInvokeNanos.get()) / 1e9;
    return new double[] {records / seconds, cpu / 1e6 / records};
  }

  /** Looks up one synthetic user per record. */
  static final class Lookup extends RichAsyncFunction<Long, String> {
    private final String url;
    private transient HttpClient client;

    Lookup(String url) {
      this.url = url;
    }

    @Override
    public void open(OpenContext ctx) {
      client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public void asyncInvoke(Long i, ResultFuture<String> result) {
      firstInvokeNanos.compareAndSet(0, System.nanoTime());
      HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/users/user-" + (i % 50_000))).build();
      client
          .sendAsync(req, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (resp, err) -> {
                lastCompleteNanos.set(System.nanoTime());
                if (err != null) result.completeExceptionally(err);
                else result.complete(Collections.singleton(i + " " + resp.body()));
              });
    }
  }
}
