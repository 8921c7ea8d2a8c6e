package dev.eddy.bench.nexmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * The Nexmark queries written with the DataStream API. Semantics (shared with the loop baselines in
 * bench/nexmark/loop and documented in bench/nexmark/README.md): event time with watermark
 * dateTime − 4 s; windows fire when the watermark passes them and at end of input; non-windowed
 * ("regular", updating) aggregations emit their final value per key at end of input.
 */
public final class Queries {
  private Queries() {}

  static final long END = Long.MAX_VALUE;
  static final long DAY_MS = 86_400_000L;
  static final TypeInformation<Bid> BID = TypeInformation.of(Bid.class);
  static final TypeInformation<Auction> AUCTION = TypeInformation.of(Auction.class);
  static final TypeInformation<Person> PERSON = TypeInformation.of(Person.class);

  /** Output field names per query, in Row position order. */
  public static final Map<String, String[]> NAMES = Map.ofEntries(
      Map.entry("q0", new String[] {"auction", "bidder", "price", "dateTime", "extra"}),
      Map.entry("q1", new String[] {"auction", "bidder", "price", "dateTime", "extra"}),
      Map.entry("q2", new String[] {"auction", "price"}),
      Map.entry("q3", new String[] {"name", "city", "state", "id"}),
      Map.entry("q4", new String[] {"category", "avg"}),
      Map.entry("q5", new String[] {"auction", "num"}),
      Map.entry("q7", new String[] {"auction", "price", "bidder", "dateTime", "extra"}),
      Map.entry("q8", new String[] {"id", "name", "starttime"}),
      Map.entry("q11", new String[] {"bidder", "bid_count", "starttime", "endtime"}),
      Map.entry("q12", new String[] {"bidder", "bid_count", "starttime", "endtime"}),
      Map.entry("q14", new String[] {"auction", "bidder", "price", "bidTimeType", "dateTime", "extra", "c_counts"}),
      Map.entry("q15", new String[] {"day", "total_bids", "rank1_bids", "rank2_bids", "rank3_bids",
          "total_bidders", "rank1_bidders", "rank2_bidders", "rank3_bidders", "total_auctions",
          "rank1_auctions", "rank2_auctions", "rank3_auctions"}),
      Map.entry("q17", new String[] {"auction", "day", "total_bids", "rank1_bids", "rank2_bids",
          "rank3_bids", "min_price", "max_price", "avg_price", "sum_price"}),
      Map.entry("q18", new String[] {"auction", "bidder", "price", "channel", "url", "dateTime", "extra"}),
      Map.entry("q19", new String[] {"auction", "bidder", "price", "channel", "url", "dateTime", "extra", "rank_number"}),
      Map.entry("q20", new String[] {"auction", "bidder", "price", "channel", "url", "dateTime", "extra",
          "itemName", "description", "initialBid", "reserve", "auctionDateTime", "expires", "seller",
          "category", "auctionExtra"}),
      Map.entry("q21", new String[] {"auction", "bidder", "price", "channel", "channel_id"}),
      Map.entry("q22", new String[] {"auction", "bidder", "price", "channel", "dir1", "dir2", "dir3"}));

  /** Builds query {@code q} on the event stream. */
  public static DataStream<Row> build(String q, DataStream<Event> events) {
    DataStream<Bid> bids = events.filter(e -> e.type == Event.BID).name("bids").map(e -> e.bid).returns(BID);
    DataStream<Auction> auctions =
        events.filter(e -> e.type == Event.AUCTION).name("auctions").map(e -> e.auction).returns(AUCTION);
    DataStream<Person> persons =
        events.filter(e -> e.type == Event.PERSON).name("persons").map(e -> e.person).returns(PERSON);
    return switch (q) {
      case "q0" -> bids.map(b -> Row.of(b.auction, b.bidder, b.price, b.dateTime, b.extra))
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.STRING));
      case "q1" -> bids.map(b -> Row.of(b.auction, b.bidder, Canonical.decimal(b.price * 908, 3), b.dateTime, b.extra))
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.STRING, Types.LONG, Types.STRING));
      case "q2" -> bids.filter(b -> b.auction % 123 == 0).map(b -> Row.of(b.auction, b.price))
          .returns(Types.ROW(Types.LONG, Types.LONG));
      case "q3" -> q3(auctions, persons);
      case "q4" -> q4(auctions, bids);
      case "q5" -> q5(bids);
      case "q7" -> q7(bids);
      case "q8" -> q8(auctions, persons);
      case "q11" -> bids.keyBy(b -> b.bidder, Types.LONG)
          .window(EventTimeSessionWindows.withGap(Duration.ofSeconds(10)))
          .aggregate(new CountAgg<>(), new SessionResult())
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.LONG));
      case "q12" -> bids.keyBy(b -> b.bidder, Types.LONG).process(new Q12())
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.LONG));
      case "q14" -> bids.filter(b -> b.price * 908 > 1_000_000_000L && b.price * 908 < 50_000_000_000L)
          .map(b -> Row.of(b.auction, b.bidder, Canonical.decimal(b.price * 908, 3), bidTimeType(b.dateTime),
              b.dateTime, b.extra, countChar(b.extra, 'c')))
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.STRING, Types.STRING, Types.LONG, Types.STRING, Types.LONG));
      case "q15" -> bids.keyBy(b -> Math.floorDiv(b.dateTime, DAY_MS), Types.LONG)
          .window(TumblingEventTimeWindows.of(Duration.ofDays(1)))
          .aggregate(new Q15Agg(), new Q15Result())
          .returns(Types.ROW(Types.STRING, Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.LONG,
              Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.LONG));
      case "q17" -> bids.keyBy(b -> b.auction, Types.LONG)
          .window(TumblingEventTimeWindows.of(Duration.ofDays(1)))
          .aggregate(new Q17Agg(), new Q17Result())
          .returns(Types.ROW(Types.LONG, Types.STRING, Types.LONG, Types.LONG, Types.LONG, Types.LONG,
              Types.LONG, Types.LONG, Types.LONG, Types.LONG));
      case "q18" -> bids.keyBy(b -> Tuple2.of(b.bidder, b.auction), Types.TUPLE(Types.LONG, Types.LONG))
          .process(new Q18()).returns(bidRow());
      case "q19" -> bids.keyBy(b -> b.auction, Types.LONG).process(new Q19())
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.STRING, Types.STRING, Types.LONG,
              Types.STRING, Types.LONG));
      case "q20" -> q20(auctions, bids);
      case "q21" -> bids.flatMap(Queries::q21).returns(
          Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.STRING, Types.STRING));
      case "q22" -> bids.map(b -> Row.of(b.auction, b.bidder, b.price, b.channel, splitIndex(b.url, '/', 3),
              splitIndex(b.url, '/', 4), splitIndex(b.url, '/', 5)))
          .returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.STRING, Types.STRING, Types.STRING, Types.STRING));
      default -> throw new IllegalArgumentException("unknown query " + q);
    };
  }

  static TypeInformation<Row> bidRow() {
    return Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.STRING, Types.STRING, Types.LONG, Types.STRING);
  }

  static Row bidToRow(Bid b) {
    return Row.of(b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra);
  }

  // ---------------------------------------------------------------- helpers

  /** 'dayTime' for UTC hour 8–18, 'nightTime' for ≤ 6 or ≥ 20, otherwise 'otherTime'. */
  static String bidTimeType(long dateTime) {
    long hour = Math.floorMod(Math.floorDiv(dateTime, 3_600_000L), 24L);
    if (hour >= 8 && hour <= 18) return "dayTime";
    if (hour <= 6 || hour >= 20) return "nightTime";
    return "otherTime";
  }

  /** Occurrences of c in s, from match to match with indexOf, as the TypeScript twin does. */
  static long countChar(String s, char c) {
    long n = 0;
    for (int i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
    return n;
  }

  /** Flink SQL's SPLIT_INDEX (all tokens preserved); null when out of range. */
  static String splitIndex(String s, char sep, int index) {
    int start = 0;
    for (int i = 0; i < index; i++) {
      int at = s.indexOf(sep, start);
      if (at < 0) return null;
      start = at + 1;
    }
    int end = s.indexOf(sep, start);
    return end < 0 ? s.substring(start) : s.substring(start, end);
  }

  /** 'yyyy-MM-dd' of an epoch-ms time in UTC. */
  static String day(long dateTime) {
    return java.time.LocalDate.ofEpochDay(Math.floorDiv(dateTime, DAY_MS)).toString();
  }

  static final Pattern CHANNEL_ID = Pattern.compile("(&|^)channel_id=([^&]*)");

  static void q21(Bid b, Collector<Row> out) {
    String lower = b.channel.toLowerCase(Locale.ROOT);
    String id = switch (lower) {
      case "apple" -> "0";
      case "google" -> "1";
      case "facebook" -> "2";
      case "baidu" -> "3";
      default -> {
        Matcher m = CHANNEL_ID.matcher(b.url);
        yield m.find() ? m.group(2) : null;
      }
    };
    if (id != null) out.collect(Row.of(b.auction, b.bidder, b.price, b.channel, id));
  }

  static final class CountAgg<T> implements AggregateFunction<T, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(T value, Long acc) {
      return acc + 1;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  // ---------------------------------------------------------------- q3

  static DataStream<Row> q3(DataStream<Auction> auctions, DataStream<Person> persons) {
    return auctions.filter(a -> a.category == 10).keyBy(a -> a.seller, Types.LONG)
        .connect(persons.filter(p -> p.state.equals("OR") || p.state.equals("ID") || p.state.equals("CA"))
            .keyBy(p -> p.id, Types.LONG))
        .process(new Q3()).returns(Types.ROW(Types.STRING, Types.STRING, Types.STRING, Types.LONG));
  }

  /** Regular inner join auction.seller = person.id (person ids are unique). */
  static final class Q3 extends KeyedCoProcessFunction<Long, Auction, Person, Row> {
    private transient ValueState<Person> person;
    private transient ListState<Long> waiting;

    @Override
    public void open(OpenContext ctx) {
      person = getRuntimeContext().getState(new ValueStateDescriptor<>("person", PERSON));
      waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("auctions", Types.LONG));
    }

    @Override
    public void processElement1(Auction a, Context ctx, Collector<Row> out) throws Exception {
      Person p = person.value();
      if (p != null) out.collect(Row.of(p.name, p.city, p.state, a.id));
      else waiting.add(a.id);
    }

    @Override
    public void processElement2(Person p, Context ctx, Collector<Row> out) throws Exception {
      for (Long id : waiting.get()) out.collect(Row.of(p.name, p.city, p.state, id));
      waiting.clear();
      person.update(p);
    }
  }

  // ---------------------------------------------------------------- q4

  static DataStream<Row> q4(DataStream<Auction> auctions, DataStream<Bid> bids) {
    return auctions.keyBy(a -> a.id, Types.LONG).connect(bids.keyBy(b -> b.auction, Types.LONG))
        .process(new Q4Max()).returns(Types.TUPLE(Types.LONG, Types.LONG))
        .keyBy(t -> t.f0, Types.LONG).process(new Q4Avg()).returns(Types.ROW(Types.LONG, Types.LONG));
  }

  /** Per auction: max price of bids within [dateTime, expires]; emits (category, max) at end. */
  static final class Q4Max extends KeyedCoProcessFunction<Long, Auction, Bid, Tuple2<Long, Long>> {
    private transient ValueState<Auction> auction;
    private transient ValueState<Long> max;
    private transient ListState<Bid> pending;

    @Override
    public void open(OpenContext ctx) {
      auction = getRuntimeContext().getState(new ValueStateDescriptor<>("auction", AUCTION));
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max", Types.LONG));
      pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending", BID));
    }

    private void offer(Auction a, Bid b) throws Exception {
      if (b.dateTime >= a.dateTime && b.dateTime <= a.expires) {
        Long m = max.value();
        if (m == null || b.price > m) max.update(b.price);
      }
    }

    @Override
    public void processElement1(Auction a, Context ctx, Collector<Tuple2<Long, Long>> out) throws Exception {
      auction.update(a);
      for (Bid b : pending.get()) offer(a, b);
      pending.clear();
      ctx.timerService().registerEventTimeTimer(END);
    }

    @Override
    public void processElement2(Bid b, Context ctx, Collector<Tuple2<Long, Long>> out) throws Exception {
      Auction a = auction.value();
      if (a == null) pending.add(b);
      else offer(a, b);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Tuple2<Long, Long>> out) throws Exception {
      Long m = max.value();
      if (m != null) out.collect(Tuple2.of(auction.value().category, m));
    }
  }

  static final class Q4Avg extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Row> {
    private transient ValueState<Tuple2<Long, Long>> sumCount;

    @Override
    public void open(OpenContext ctx) {
      sumCount = getRuntimeContext().getState(
          new ValueStateDescriptor<>("sumCount", Types.TUPLE(Types.LONG, Types.LONG)));
    }

    @Override
    public void processElement(Tuple2<Long, Long> v, Context ctx, Collector<Row> out) throws Exception {
      Tuple2<Long, Long> s = sumCount.value();
      if (s == null) {
        s = Tuple2.of(0L, 0L);
        ctx.timerService().registerEventTimeTimer(END);
      }
      sumCount.update(Tuple2.of(s.f0 + v.f1, s.f1 + 1));
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      Tuple2<Long, Long> s = sumCount.value();
      out.collect(Row.of(ctx.getCurrentKey(), s.f0 / s.f1));
    }
  }

  // ---------------------------------------------------------------- q5

  static DataStream<Row> q5(DataStream<Bid> bids) {
    return bids.keyBy(b -> b.auction, Types.LONG)
        .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .aggregate(new CountAgg<>(), new Q5WindowCount())
        .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG))
        .keyBy(t -> t.f2, Types.LONG).process(new Q5Hot()).returns(Types.ROW(Types.LONG, Types.LONG));
  }

  /** (auction, count, windowEnd). */
  static final class Q5WindowCount extends ProcessWindowFunction<Long, Tuple3<Long, Long, Long>, Long, TimeWindow> {
    @Override
    public void process(Long key, Context ctx, Iterable<Long> counts, Collector<Tuple3<Long, Long, Long>> out) {
      out.collect(Tuple3.of(key, counts.iterator().next(), ctx.window().getEnd()));
    }
  }

  /** Per window end: the auctions whose count is the window's maximum (ties kept). */
  static final class Q5Hot extends KeyedProcessFunction<Long, Tuple3<Long, Long, Long>, Row> {
    private transient ValueState<Long> max;
    private transient ListState<Tuple2<Long, Long>> atMax;

    @Override
    public void open(OpenContext ctx) {
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max", Types.LONG));
      atMax = getRuntimeContext().getListState(
          new ListStateDescriptor<>("atMax", Types.TUPLE(Types.LONG, Types.LONG)));
    }

    @Override
    public void processElement(Tuple3<Long, Long, Long> v, Context ctx, Collector<Row> out) throws Exception {
      Long m = max.value();
      if (m == null) ctx.timerService().registerEventTimeTimer(v.f2 - 1);
      if (m == null || v.f1 > m) {
        max.update(v.f1);
        atMax.clear();
        atMax.add(Tuple2.of(v.f0, v.f1));
      } else if (v.f1.longValue() == m.longValue()) {
        atMax.add(Tuple2.of(v.f0, v.f1));
      }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      for (Tuple2<Long, Long> t : atMax.get()) out.collect(Row.of(t.f0, t.f1));
      max.clear();
      atMax.clear();
    }
  }

  // ---------------------------------------------------------------- q7

  /** A bid routed to the 10 s window {@code window}; {@code boundary} when its time equals that window's end. */
  public static final class Q7Item {
    public long window;
    public boolean boundary;
    public Bid bid;

    public Q7Item() {}

    Q7Item(long window, boolean boundary, Bid bid) {
      this.window = window;
      this.boundary = boundary;
      this.bid = bid;
    }
  }

  static DataStream<Row> q7(DataStream<Bid> bids) {
    return bids.<Q7Item>flatMap((Bid b, Collector<Q7Item> out) -> {
          long w = b.dateTime - Math.floorMod(b.dateTime, 10_000L);
          out.collect(new Q7Item(w, false, b));
          if (w == b.dateTime) out.collect(new Q7Item(w - 10_000L, true, b));
        }).returns(TypeInformation.of(Q7Item.class))
        .keyBy(i -> i.window, Types.LONG).process(new Q7()).returns(
            Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.STRING));
  }

  /**
   * Bids whose price is the maximum of a tumbling 10 s window [s, s+10 s) and whose time is within
   * [s, s+10 s] (SQL BETWEEN is inclusive, so bids at exactly s+10 s count too).
   */
  static final class Q7 extends KeyedProcessFunction<Long, Q7Item, Row> {
    private transient ValueState<Long> max;
    private transient ListState<Bid> atMax;
    private transient ListState<Bid> boundary;

    @Override
    public void open(OpenContext ctx) {
      max = getRuntimeContext().getState(new ValueStateDescriptor<>("max", Types.LONG));
      atMax = getRuntimeContext().getListState(new ListStateDescriptor<>("atMax", BID));
      boundary = getRuntimeContext().getListState(new ListStateDescriptor<>("boundary", BID));
    }

    @Override
    public void processElement(Q7Item item, Context ctx, Collector<Row> out) throws Exception {
      ctx.timerService().registerEventTimeTimer(item.window + 10_000L);
      Bid b = item.bid;
      if (item.boundary) {
        boundary.add(b);
        return;
      }
      Long m = max.value();
      if (m == null || b.price > m) {
        max.update(b.price);
        atMax.clear();
        atMax.add(b);
      } else if (b.price == m) {
        atMax.add(b);
      }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      Long m = max.value();
      if (m != null) {
        for (Bid b : atMax.get()) out.collect(Row.of(b.auction, b.price, b.bidder, b.dateTime, b.extra));
        for (Bid b : boundary.get()) {
          if (b.price == m) out.collect(Row.of(b.auction, b.price, b.bidder, b.dateTime, b.extra));
        }
      }
      max.clear();
      atMax.clear();
      boundary.clear();
    }
  }

  // ---------------------------------------------------------------- q8

  static DataStream<Row> q8(DataStream<Auction> auctions, DataStream<Person> persons) {
    DataStream<Long> sellers = auctions.map(a -> a.seller).returns(Types.LONG);
    return persons.coGroup(sellers).where(p -> p.id, Types.LONG).equalTo(s -> s, Types.LONG)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
        .apply((Iterable<Person> ps, Iterable<Long> ss, Collector<Row> out) -> {
          if (!ss.iterator().hasNext()) return;
          for (Person p : ps) out.collect(Row.of(p.id, p.name, p.dateTime - Math.floorMod(p.dateTime, 10_000L)));
        }, Types.ROW(Types.LONG, Types.STRING, Types.LONG));
  }

  // ---------------------------------------------------------------- q11

  static final class SessionResult extends ProcessWindowFunction<Long, Row, Long, TimeWindow> {
    @Override
    public void process(Long bidder, Context ctx, Iterable<Long> counts, Collector<Row> out) {
      out.collect(Row.of(bidder, counts.iterator().next(), ctx.window().getStart(), ctx.window().getEnd()));
    }
  }

  // ---------------------------------------------------------------- q12

  /** Processing-time tumbling 10 s count per bidder; open windows are flushed at end of input. */
  static final class Q12 extends KeyedProcessFunction<Long, Bid, Row> {
    private transient ValueState<Long> count;
    private transient ValueState<Long> start;

    @Override
    public void open(OpenContext ctx) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
      start = getRuntimeContext().getState(new ValueStateDescriptor<>("start", Types.LONG));
    }

    @Override
    public void processElement(Bid b, Context ctx, Collector<Row> out) throws Exception {
      long now = ctx.timerService().currentProcessingTime();
      long w = now - Math.floorMod(now, 10_000L);
      Long s = start.value();
      Long c = count.value();
      if (s == null) {
        ctx.timerService().registerEventTimeTimer(END);
      } else if (s != w) {
        out.collect(Row.of(ctx.getCurrentKey(), c, s, s + 10_000L));
        c = null;
      }
      if (c == null) ctx.timerService().registerProcessingTimeTimer(w + 10_000L - 1);
      start.update(w);
      count.update(c == null ? 1L : c + 1);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      Long s = start.value();
      Long c = count.value();
      if (c != null && (ts == END || ts >= s + 10_000L - 1)) {
        out.collect(Row.of(ctx.getCurrentKey(), c, s, s + 10_000L));
        count.clear();
      }
    }
  }

  // ---------------------------------------------------------------- q15

  /** Accumulator of q15: counts and distinct sets overall and per price band. */
  public static final class Q15Acc {
    public long[] bids = new long[4];
    public List<HashSet<Long>> bidders = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
    public List<HashSet<Long>> auctions = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
  }

  static int band(long price) {
    return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
  }

  static final class Q15Agg implements AggregateFunction<Bid, Q15Acc, Q15Acc> {
    @Override
    public Q15Acc createAccumulator() {
      return new Q15Acc();
    }

    @Override
    public Q15Acc add(Bid b, Q15Acc acc) {
      int r = band(b.price);
      acc.bids[0]++;
      acc.bids[r]++;
      acc.bidders.get(0).add(b.bidder);
      acc.bidders.get(r).add(b.bidder);
      acc.auctions.get(0).add(b.auction);
      acc.auctions.get(r).add(b.auction);
      return acc;
    }

    @Override
    public Q15Acc getResult(Q15Acc acc) {
      return acc;
    }

    @Override
    public Q15Acc merge(Q15Acc a, Q15Acc b) {
      throw new UnsupportedOperationException();
    }
  }

  static final class Q15Result extends ProcessWindowFunction<Q15Acc, Row, Long, TimeWindow> {
    @Override
    public void process(Long day, Context ctx, Iterable<Q15Acc> accs, Collector<Row> out) {
      Q15Acc a = accs.iterator().next();
      out.collect(Row.of(day(ctx.window().getStart()), a.bids[0], a.bids[1], a.bids[2], a.bids[3],
          (long) a.bidders.get(0).size(), (long) a.bidders.get(1).size(), (long) a.bidders.get(2).size(),
          (long) a.bidders.get(3).size(), (long) a.auctions.get(0).size(), (long) a.auctions.get(1).size(),
          (long) a.auctions.get(2).size(), (long) a.auctions.get(3).size()));
    }
  }

  // ---------------------------------------------------------------- q17

  /** [count, rank1, rank2, rank3, min, max, sum]. */
  static final class Q17Agg implements AggregateFunction<Bid, long[], long[]> {
    @Override
    public long[] createAccumulator() {
      return new long[] {0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0};
    }

    @Override
    public long[] add(Bid b, long[] acc) {
      acc[0]++;
      acc[band(b.price)]++;
      if (b.price < acc[4]) acc[4] = b.price;
      if (b.price > acc[5]) acc[5] = b.price;
      acc[6] += b.price;
      return acc;
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      throw new UnsupportedOperationException();
    }
  }

  static final class Q17Result extends ProcessWindowFunction<long[], Row, Long, TimeWindow> {
    @Override
    public void process(Long auction, Context ctx, Iterable<long[]> accs, Collector<Row> out) {
      long[] a = accs.iterator().next();
      out.collect(Row.of(auction, day(ctx.window().getStart()), a[0], a[1], a[2], a[3], a[4], a[5], a[6] / a[0], a[6]));
    }
  }

  // ---------------------------------------------------------------- q18

  /** Orders bids by (dateTime, price, extra); the greatest is the "last" bid. */
  static int compareLast(Bid a, Bid b) {
    if (a.dateTime != b.dateTime) return Long.compare(a.dateTime, b.dateTime);
    if (a.price != b.price) return Long.compare(a.price, b.price);
    return compareUtf16(a.extra, b.extra);
  }

  /** String order by UTF-16 code units, as JavaScript's {@code <} (Java's compareTo agrees). */
  static int compareUtf16(String a, String b) {
    return Integer.signum(a.compareTo(b));
  }

  static final class Q18 extends KeyedProcessFunction<Tuple2<Long, Long>, Bid, Row> {
    private transient ValueState<Bid> last;

    @Override
    public void open(OpenContext ctx) {
      last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", BID));
    }

    @Override
    public void processElement(Bid b, Context ctx, Collector<Row> out) throws Exception {
      Bid cur = last.value();
      if (cur == null) {
        ctx.timerService().registerEventTimeTimer(END);
        last.update(b);
      } else if (compareLast(b, cur) > 0) {
        last.update(b);
      }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      out.collect(bidToRow(last.value()));
    }
  }

  // ---------------------------------------------------------------- q19

  /** Rank order: price desc, then dateTime asc, bidder asc, extra asc. Negative when a ranks first. */
  static int compareRank(Bid a, Bid b) {
    if (a.price != b.price) return a.price > b.price ? -1 : 1;
    if (a.dateTime != b.dateTime) return Long.compare(a.dateTime, b.dateTime);
    if (a.bidder != b.bidder) return Long.compare(a.bidder, b.bidder);
    return compareUtf16(a.extra, b.extra);
  }

  static final class Q19 extends KeyedProcessFunction<Long, Bid, Row> {
    private transient ValueState<List<Bid>> top;

    @Override
    public void open(OpenContext ctx) {
      top = getRuntimeContext().getState(new ValueStateDescriptor<>("top", Types.LIST(BID)));
    }

    @Override
    public void processElement(Bid b, Context ctx, Collector<Row> out) throws Exception {
      List<Bid> list = top.value();
      if (list == null) {
        list = new ArrayList<>(10);
        ctx.timerService().registerEventTimeTimer(END);
      } else if (list.size() == 10 && compareRank(b, list.get(9)) >= 0) {
        return;
      }
      int i = list.size();
      while (i > 0 && compareRank(b, list.get(i - 1)) < 0) i--;
      list.add(i, b);
      if (list.size() > 10) list.remove(10);
      top.update(list);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Row> out) throws Exception {
      List<Bid> list = top.value();
      for (int i = 0; i < list.size(); i++) {
        Bid b = list.get(i);
        out.collect(Row.of(b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra, (long) (i + 1)));
      }
    }
  }

  // ---------------------------------------------------------------- q20

  static DataStream<Row> q20(DataStream<Auction> auctions, DataStream<Bid> bids) {
    return auctions.keyBy(a -> a.id, Types.LONG).connect(bids.keyBy(b -> b.auction, Types.LONG))
        .process(new Q20()).returns(Types.ROW(Types.LONG, Types.LONG, Types.LONG, Types.STRING, Types.STRING,
            Types.LONG, Types.STRING, Types.STRING, Types.STRING, Types.LONG, Types.LONG, Types.LONG, Types.LONG,
            Types.LONG, Types.LONG, Types.STRING));
  }

  static Row q20Row(Bid b, Auction a) {
    return Row.of(b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra, a.itemName,
        a.description, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category, a.extra);
  }

  /** Regular inner join bid.auction = auction.id where auction.category = 10 (auction ids are unique). */
  static final class Q20 extends KeyedCoProcessFunction<Long, Auction, Bid, Row> {
    private transient ValueState<Auction> auction;
    private transient ValueState<Boolean> rejected;
    private transient ListState<Bid> pending;

    @Override
    public void open(OpenContext ctx) {
      auction = getRuntimeContext().getState(new ValueStateDescriptor<>("auction", AUCTION));
      rejected = getRuntimeContext().getState(new ValueStateDescriptor<>("rejected", Types.BOOLEAN));
      pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending", BID));
    }

    @Override
    public void processElement1(Auction a, Context ctx, Collector<Row> out) throws Exception {
      if (a.category != 10) {
        rejected.update(true);
      } else {
        auction.update(a);
        for (Bid b : pending.get()) out.collect(q20Row(b, a));
      }
      pending.clear();
    }

    @Override
    public void processElement2(Bid b, Context ctx, Collector<Row> out) throws Exception {
      Auction a = auction.value();
      if (a != null) out.collect(q20Row(b, a));
      else if (rejected.value() == null) pending.add(b);
    }
  }
}
