package dev.eddy.bench.kafka;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.json.JsonDeserializationSchema;
import org.apache.flink.formats.json.JsonSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Issue 6's Flink peer: the Kafka → map → Kafka job of {@code bench/kafka.ts} with Flink's own
 * Kafka connector — {@code KafkaSource} bounded at the latest offsets, JSON decode (Jackson, {@code
 * flink-json}), map {@code {id, pad} → {id, pad, even}}, JSON encode, {@code KafkaSink} — at
 * parallelism 1 in a local MiniCluster, on the broker and input topic that {@code bench/kafka.ts}
 * prepared. At-least-once runs without checkpoints (like Eddy's); exactly-once checkpoints every 5
 * s to the HashMap state backend with file-system checkpoint storage. Each run prints one JSON
 * line; {@code seconds} is the job's net run time (job start to end, as Flink reports it), {@code
 * totalSeconds} adds the MiniCluster start-up and job submission; {@code cpuSeconds} is the JVM's
 * CPU time over {@code totalSeconds}.
 *
 * <pre>
 *   run.sh kafka --bootstrap HOST:PORT --input TOPIC --output TOPIC --records N
 *                [--guarantee at-least-once|exactly-once] [--runs R] [--checkpoint-interval MS]
 * </pre>
 */
public final class KafkaMapMain {
  /** Records seen by the map (one JVM, parallelism 1): checks that the bounded source read all. */
  static final AtomicLong mapped = new AtomicLong();

  /** CPU time of the whole JVM (all threads, MiniCluster included). */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The input record, as Eddy's bench writes it. */
  public static final class Event {
    public long id;
    public String pad;

    public Event() {}
  }

  /** The output record. */
  public static final class Out {
    public long id;
    public String pad;
    public boolean even;

    public Out() {}

    Out(long id, String pad, boolean even) {
      this.id = id;
      this.pad = pad;
      this.even = even;
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = null;
    String input = null;
    String output = null;
    long records = 0;
    String guarantee = "at-least-once";
    int runs = 1;
    long checkpointInterval = 5_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[++i];
        case "--input" -> input = args[++i];
        case "--output" -> output = args[++i];
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--guarantee" -> guarantee = args[++i];
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--checkpoint-interval" -> checkpointInterval = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (bootstrap == null || input == null || output == null) {
      throw new IllegalArgumentException("--bootstrap, --input and --output are required");
    }
    boolean exactlyOnce =
        switch (guarantee) {
          case "exactly-once" -> true;
          case "at-least-once" -> false;
          default -> throw new IllegalArgumentException("unknown guarantee " + guarantee);
        };
    for (int r = 0; r < runs; r++) {
      run(bootstrap, input, output, records, exactlyOnce, checkpointInterval);
    }
  }

  static void run(
      String bootstrap,
      String input,
      String output,
      long records,
      boolean exactlyOnce,
      long checkpointInterval)
      throws Exception {
    Path dir = Files.createTempDirectory("eddy-bench-kafka-flink-");
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    if (exactlyOnce) env.enableCheckpointing(checkpointInterval, CheckpointingMode.EXACTLY_ONCE);

    String id = UUID.randomUUID().toString().substring(0, 8);
    KafkaSource<Event> source =
        KafkaSource.<Event>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(input)
            .setGroupId("flink-bench-" + id)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setBounded(OffsetsInitializer.latest())
            .setValueOnlyDeserializer(new JsonDeserializationSchema<>(Event.class))
            .build();
    KafkaSink<Out> sink =
        KafkaSink.<Out>builder()
            .setBootstrapServers(bootstrap)
            .setRecordSerializer(
                KafkaRecordSerializationSchema.<Out>builder()
                    .setTopic(output)
                    .setValueSerializationSchema(new JsonSerializationSchema<Out>())
                    .build())
            .setDeliveryGuarantee(
                exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
            .setTransactionalIdPrefix("flink-bench-" + id)
            // Flink's default (1 h) exceeds the broker's transaction.max.timeout.ms (15 min).
            .setProperty("transaction.timeout.ms", "600000")
            .build();

    mapped.set(0);
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-source")
        .map(
            e -> {
              mapped.incrementAndGet();
              return new Out(e.id, e.pad, e.id % 2 == 0);
            })
        .returns(Out.class)
        .sinkTo(sink);

    long cpuStart = cpuNanos();
    long start = System.nanoTime();
    JobExecutionResult result = env.execute("bench-kafka-" + (exactlyOnce ? "eo" : "alo"));
    double total = (System.nanoTime() - start) / 1e9;
    double cpu = (cpuNanos() - cpuStart) / 1e9;
    double seconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
    long seen = mapped.get();
    if (records > 0 && seen != records) {
      throw new IllegalStateException("mapped " + seen + " records, expected " + records);
    }
    System.out.printf(
        "{\"engine\":\"flink\",\"guarantee\":\"%s\",\"records\":%d,\"seconds\":%.3f,"
            + "\"recordsPerSecond\":%d,\"totalSeconds\":%.3f,\"cpuSeconds\":%.3f}%n",
        exactlyOnce ? "exactly-once" : "at-least-once",
        seen,
        seconds,
        Math.round(seen / seconds),
        total,
        cpu);
    System.out.flush();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
