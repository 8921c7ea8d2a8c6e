package dev.eddy.bench.nexmark;

/**
 * The Java port of bench/nexmark/generator (reference/nexmark.md §1.3–1.5): the same ids, times
 * and random draws, so both produce identical events. Each event draws from
 * {@code java.util.Random(seed·2^32 + eventId)} after one discarded draw.
 */
public final class NexmarkGenerator {
  // Proportions and ids.
  static final int PERSON_PROPORTION = 1;
  static final int AUCTION_PROPORTION = 3;
  static final int TOTAL_PROPORTION = 50;
  static final long FIRST_PERSON_ID = 1000;
  static final long FIRST_AUCTION_ID = 1000;
  static final long FIRST_CATEGORY_ID = 10;
  static final int NUM_CATEGORIES = 5;
  static final int PERSON_ID_LEAD = 10;
  static final int AUCTION_ID_LEAD = 10;
  static final int NUM_ACTIVE_PEOPLE = 1000;
  static final int NUM_IN_FLIGHT_AUCTIONS = 100;
  static final int HOT_SELLERS_RATIO = 4;
  static final int HOT_AUCTION_RATIO_CONFIG = 2;
  static final int HOT_BIDDERS_RATIO_CONFIG = 4;
  static final int HOT_RATIO = 100;
  static final long NUM_EVENTS_FOR_AUCTIONS = (NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION;
  static final int AVG_PERSON_BYTE_SIZE = 200;
  static final int AVG_AUCTION_BYTE_SIZE = 500;
  static final int AVG_BID_BYTE_SIZE = 100;
  static final int OUT_OF_ORDER_GROUP_SIZE = 1;

  // Strings.
  static final int MIN_STRING_LENGTH = 3;
  static final int EXTRA_CACHE_LENGTH = 1 << 20;
  static final long EXTRA_CACHE_SEED = 0x4e45584dL;
  static final String EXTRA_CACHE;

  // Channels.
  static final int HOT_CHANNELS_RATIO = 2;
  static final int CHANNELS_NUMBER = 10_000;
  static final long CHANNEL_URL_SEED = 0x43484e4cL;
  static final String[] HOT_CHANNELS = {"Google", "Facebook", "Baidu", "Apple"};
  static final String[] HOT_URLS = new String[4];
  static final String[] CHANNEL_NAMES = new String[CHANNELS_NUMBER];
  static final String[] CHANNEL_URLS = new String[CHANNELS_NUMBER];

  static final String[] FIRST_NAMES = {
    "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"
  };
  static final String[] LAST_NAMES = {
    "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"
  };
  static final String[] US_CITIES = {
    "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle",
    "Kent", "Cheyenne"
  };
  static final String[] US_STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};

  static {
    JavaRandom r = new JavaRandom(EXTRA_CACHE_SEED);
    char[] chars = new char[EXTRA_CACHE_LENGTH];
    for (int i = 0; i < chars.length; i++) chars[i] = (char) ('a' + r.nextInt(26));
    EXTRA_CACHE = new String(chars);
    for (int i = 0; i < HOT_URLS.length; i++) {
      HOT_URLS[i] = baseUrl(JavaRandom.seeded(CHANNEL_URL_SEED + CHANNELS_NUMBER + i));
    }
    for (int c = 0; c < CHANNELS_NUMBER; c++) {
      JavaRandom random = JavaRandom.seeded(CHANNEL_URL_SEED + c);
      String url = baseUrl(random);
      if (random.nextInt(10) > 0) url = url + "&channel_id=" + Math.abs(Integer.reverse(c));
      CHANNEL_NAMES[c] = "channel-" + c;
      CHANNEL_URLS[c] = url;
    }
  }

  private final GeneratorConfig config;
  private final double delayUs;
  private final long seedBase;
  private final JavaRandom random = new JavaRandom(0);
  private long count;
  private long lastTimestamp;

  public NexmarkGenerator(GeneratorConfig config) {
    this.config = config;
    this.delayUs = config.interEventDelayUs();
    this.seedBase = ((long) config.seed) << 32;
    this.lastTimestamp = config.baseTime;
  }

  public boolean hasNext() {
    return count < config.maxEvents;
  }

  public long eventsCountSoFar() {
    return count;
  }

  public long currentTimestamp() {
    return lastTimestamp;
  }

  public Event next() {
    long num = config.firstEventNumber + count;
    long g = OUT_OF_ORDER_GROUP_SIZE;
    long adj = (num / g) * g + (num * 953) % g;
    long eventId = config.firstEventId + adj;
    long timestamp = GeneratorConfig.timestampForEventNumber(config.baseTime, delayUs, adj);
    random.reseed(seedBase + eventId);
    count++;
    lastTimestamp = timestamp;
    long rem = eventId % TOTAL_PROPORTION;
    Event e = new Event();
    e.dateTime = timestamp;
    if (rem < PERSON_PROPORTION) {
      e.type = Event.PERSON;
      e.person = nextPerson(eventId, random, timestamp);
    } else if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) {
      e.type = Event.AUCTION;
      e.auction = nextAuction(eventId, adj, random, timestamp);
    } else {
      e.type = Event.BID;
      e.bid = nextBid(eventId, random, timestamp);
    }
    return e;
  }

  // ---- ids ----

  static long lastBase0PersonId(long eventId) {
    long epoch = eventId / TOTAL_PROPORTION;
    long offset = eventId % TOTAL_PROPORTION;
    if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
    return epoch * PERSON_PROPORTION + offset;
  }

  static long lastBase0AuctionId(long eventId) {
    long epoch = eventId / TOTAL_PROPORTION;
    long offset = eventId % TOTAL_PROPORTION;
    if (offset < PERSON_PROPORTION) {
      epoch--;
      offset = AUCTION_PROPORTION - 1;
    } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
      offset = AUCTION_PROPORTION - 1;
    } else {
      offset -= PERSON_PROPORTION;
    }
    return epoch * AUCTION_PROPORTION + offset;
  }

  static long nextBase0PersonId(long eventId, JavaRandom random) {
    long numPeople = lastBase0PersonId(eventId) + 1;
    long activePeople = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
    long n = randLong(random, activePeople + PERSON_ID_LEAD);
    return numPeople - activePeople + n;
  }

  static long nextBase0AuctionId(long eventId, JavaRandom random) {
    long maxAuction = lastBase0AuctionId(eventId);
    long minAuction = Math.max(maxAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
    return minAuction + randLong(random, maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  static long randLong(JavaRandom random, long n) {
    if (n < Integer.MAX_VALUE) return random.nextInt((int) n);
    return Math.abs(random.nextLong() % n);
  }

  // ---- strings and prices ----

  static String nextString(JavaRandom random, int maxLength, char space) {
    int len = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      if (random.nextInt(13) == 0) sb.append(space);
      else sb.append((char) ('a' + random.nextInt(26)));
    }
    String s = sb.toString();
    return space == ' ' ? s.trim() : s;
  }

  static String nextExtra(JavaRandom random, int currentSize, int desiredAverageSize) {
    if (currentSize > desiredAverageSize) return "";
    int d = desiredAverageSize - currentSize;
    int delta = (int) Math.round(d * 0.2);
    int size = d - delta + (delta == 0 ? 0 : random.nextInt(2 * delta));
    int offset = random.nextInt(EXTRA_CACHE_LENGTH - size);
    return EXTRA_CACHE.substring(offset, offset + size);
  }

  static long nextPrice(JavaRandom random) {
    return Math.round(StrictMath.pow(10.0, random.nextDouble() * 6.0) * 100.0);
  }

  static String baseUrl(JavaRandom random) {
    String a = nextString(random, 5, '_');
    String b = nextString(random, 5, '_');
    String c = nextString(random, 5, '_');
    return "https://www.nexmark.com/" + a + '/' + b + '/' + c + '/' + "item.htm?query=1";
  }

  // ---- events ----

  static Person nextPerson(long eventId, JavaRandom random, long timestamp) {
    Person p = new Person();
    p.id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    p.name = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)] + " " + LAST_NAMES[random.nextInt(LAST_NAMES.length)];
    p.emailAddress = nextString(random, 7, ' ') + "@" + nextString(random, 5, ' ') + ".com";
    StringBuilder cc = new StringBuilder(19);
    for (int i = 0; i < 4; i++) {
      if (i > 0) cc.append(' ');
      int v = random.nextInt(10000);
      if (v < 10) cc.append("000");
      else if (v < 100) cc.append("00");
      else if (v < 1000) cc.append('0');
      cc.append(v);
    }
    p.creditCard = cc.toString();
    p.city = US_CITIES[random.nextInt(US_CITIES.length)];
    p.state = US_STATES[random.nextInt(US_STATES.length)];
    int currentSize = 8 + p.name.length() + p.emailAddress.length() + p.creditCard.length()
        + p.city.length() + p.state.length();
    p.extra = nextExtra(random, currentSize, AVG_PERSON_BYTE_SIZE);
    p.dateTime = timestamp;
    return p;
  }

  Auction nextAuction(long eventId, long adj, JavaRandom random, long timestamp) {
    Auction a = new Auction();
    a.id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    long seller;
    if (random.nextInt(HOT_SELLERS_RATIO) > 0) {
      seller = (lastBase0PersonId(eventId) / HOT_RATIO) * HOT_RATIO;
    } else {
      seller = nextBase0PersonId(eventId, random);
    }
    a.seller = seller + FIRST_PERSON_ID;
    a.category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    a.initialBid = nextPrice(random);
    long futureAuction = GeneratorConfig.timestampForEventNumber(config.baseTime, delayUs, adj + NUM_EVENTS_FOR_AUCTIONS);
    long horizonMs = futureAuction - timestamp;
    a.expires = timestamp + 1 + randLong(random, Math.max(horizonMs * 2, 1L));
    a.itemName = nextString(random, 20, ' ');
    a.description = nextString(random, 100, ' ');
    a.reserve = a.initialBid + nextPrice(random);
    int currentSize = 8 + a.itemName.length() + a.description.length() + 8 + 8 + 8 + 8 + 8;
    a.extra = nextExtra(random, currentSize, AVG_AUCTION_BYTE_SIZE);
    a.dateTime = timestamp;
    return a;
  }

  static Bid nextBid(long eventId, JavaRandom random, long timestamp) {
    Bid b = new Bid();
    long auction;
    if (random.nextInt(HOT_AUCTION_RATIO_CONFIG) > 0) {
      auction = (lastBase0AuctionId(eventId) / HOT_RATIO) * HOT_RATIO;
    } else {
      auction = nextBase0AuctionId(eventId, random);
    }
    b.auction = auction + FIRST_AUCTION_ID;
    long bidder;
    if (random.nextInt(HOT_BIDDERS_RATIO_CONFIG) > 0) {
      bidder = (lastBase0PersonId(eventId) / HOT_RATIO) * HOT_RATIO + 1;
    } else {
      bidder = nextBase0PersonId(eventId, random);
    }
    bidder += FIRST_PERSON_ID;
    b.price = nextPrice(random);
    if (random.nextInt(HOT_CHANNELS_RATIO) > 0) {
      int i = random.nextInt(HOT_CHANNELS.length);
      b.channel = HOT_CHANNELS[i];
      b.url = HOT_URLS[i];
    } else {
      int c = random.nextInt(CHANNELS_NUMBER);
      b.channel = CHANNEL_NAMES[c];
      b.url = CHANNEL_URLS[c];
    }
    b.bidder = bidder + FIRST_PERSON_ID;
    b.extra = nextExtra(random, 8 + 8 + 8 + 8, AVG_BID_BYTE_SIZE);
    b.dateTime = timestamp;
    return b;
  }
}
