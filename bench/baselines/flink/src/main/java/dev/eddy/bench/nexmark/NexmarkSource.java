package dev.eddy.bench.nexmark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded FLIP-27 source of Nexmark events: split i of P is generator i of
 * {@code GeneratorConfig.split(P)}, assigned to subtask i (as NX's source does, one generator per
 * subtask). Checkpointing is not used by the benchmark, so snapshots carry only the split position.
 */
public final class NexmarkSource implements Source<Event, NexmarkSource.Split, Integer> {
  private static final long serialVersionUID = 1L;
  private final GeneratorConfig config;
  private final int splits;

  public NexmarkSource(GeneratorConfig config, int splits) {
    this.config = config;
    this.splits = splits;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SplitEnumerator<Split, Integer> createEnumerator(SplitEnumeratorContext<Split> ctx) {
    return new Enumerator(ctx, splits);
  }

  @Override
  public SplitEnumerator<Split, Integer> restoreEnumerator(SplitEnumeratorContext<Split> ctx, Integer chk) {
    return new Enumerator(ctx, splits);
  }

  @Override
  public SimpleVersionedSerializer<Split> getSplitSerializer() {
    return new SplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
    return new SimpleVersionedSerializer<>() {
      @Override
      public int getVersion() {
        return 1;
      }

      @Override
      public byte[] serialize(Integer obj) {
        return new byte[] {obj.byteValue()};
      }

      @Override
      public Integer deserialize(int version, byte[] serialized) {
        return (int) serialized[0];
      }
    };
  }

  @Override
  public SourceReader<Event, Split> createReader(SourceReaderContext ctx) {
    return new Reader(config, splits);
  }

  /** Split {@code index} of {@code count}, {@code emitted} events already read. */
  public static final class Split implements SourceSplit {
    final int index;
    final long emitted;

    Split(int index, long emitted) {
      this.index = index;
      this.emitted = emitted;
    }

    @Override
    public String splitId() {
      return Integer.toString(index);
    }
  }

  static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Split s) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(s.index);
      out.writeLong(s.emitted);
      out.flush();
      return bytes.toByteArray();
    }

    @Override
    public Split deserialize(int version, byte[] serialized) throws IOException {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized));
      return new Split(in.readInt(), in.readLong());
    }
  }

  static final class Enumerator implements SplitEnumerator<Split, Integer> {
    private final SplitEnumeratorContext<Split> ctx;
    private final int splits;

    Enumerator(SplitEnumeratorContext<Split> ctx, int splits) {
      this.ctx = ctx;
      this.splits = splits;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String hostname) {}

    @Override
    public void addSplitsBack(List<Split> splits, int subtaskId) {
      for (Split s : splits) ctx.assignSplit(s, subtaskId);
    }

    @Override
    public void addReader(int subtaskId) {
      int p = ctx.currentParallelism();
      for (int i = subtaskId; i < splits; i += p) ctx.assignSplit(new Split(i, 0), subtaskId);
      ctx.signalNoMoreSplits(subtaskId);
    }

    @Override
    public Integer snapshotState(long checkpointId) {
      return 0;
    }

    @Override
    public void close() {}
  }

  static final class Reader implements SourceReader<Event, Split> {
    private static final int BATCH = 256;
    private final List<GeneratorConfig> configs;
    private final ArrayDeque<Split> pending = new ArrayDeque<>();
    private NexmarkGenerator current;
    private int currentIndex;
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();

    Reader(GeneratorConfig config, int splits) {
      this.configs = config.split(splits);
    }

    @Override
    public void start() {
      NexmarkMain.markReaderStart();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<Event> output) {
      if (current == null || !current.hasNext()) {
        Split next = pending.poll();
        if (next == null) {
          if (noMoreSplits) return InputStatus.END_OF_INPUT;
          available = new CompletableFuture<>();
          return InputStatus.NOTHING_AVAILABLE;
        }
        current = new NexmarkGenerator(configs.get(next.index));
        currentIndex = next.index;
        for (long i = 0; i < next.emitted && current.hasNext(); i++) current.next();
      }
      NexmarkGenerator g = current;
      for (int i = 0; i < BATCH && g.hasNext(); i++) {
        Event e = g.next();
        output.collect(e, e.dateTime);
      }
      return InputStatus.MORE_AVAILABLE;
    }

    @Override
    public List<Split> snapshotState(long checkpointId) {
      List<Split> out = new ArrayList<>(pending);
      if (current != null) out.add(new Split(currentIndex, current.eventsCountSoFar()));
      return out;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return available;
    }

    @Override
    public void addSplits(List<Split> splits) {
      pending.addAll(splits);
      available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
      noMoreSplits = true;
      available.complete(null);
    }

    @Override
    public void close() {}
  }
}
