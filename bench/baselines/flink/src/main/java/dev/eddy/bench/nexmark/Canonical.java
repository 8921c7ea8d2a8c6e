package dev.eddy.bench.nexmark;

import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON line of bench/nexmark/canonical.ts: keys sorted, no whitespace, integers only,
 * strings escaped as JavaScript's JSON.stringify does.
 */
public final class Canonical {
  private Canonical() {}

  /** Serializes a value: Map (keys sorted), String, Long/Integer, Boolean or null. */
  public static String json(Object value) {
    StringBuilder sb = new StringBuilder(128);
    write(sb, value);
    return sb.toString();
  }

  @SuppressWarnings("unchecked")
  static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      string(sb, s);
    } else if (value instanceof Long || value instanceof Integer) {
      sb.append(value);
    } else if (value instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (value instanceof Map<?, ?> m) {
      TreeMap<String, Object> sorted = new TreeMap<>((Map<String, Object>) m);
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) sb.append(',');
        first = false;
        string(sb, e.getKey());
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else {
      throw new IllegalArgumentException("not canonical: " + value.getClass());
    }
  }

  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /** {@code units / 10^scale} with exactly {@code scale} fraction digits. */
  public static String decimal(long units, int scale) {
    long div = 1;
    for (int i = 0; i < scale; i++) div *= 10;
    long abs = Math.abs(units);
    StringBuilder frac = new StringBuilder(Long.toString(abs % div));
    while (frac.length() < scale) frac.insert(0, '0');
    return (units < 0 ? "-" : "") + (abs / div) + (scale > 0 ? "." + frac : "");
  }

  /** The canonical line of an event (as canonicalEvent in canonical.ts). */
  public static String event(Event e) {
    Map<String, Object> m = new TreeMap<>();
    m.put("type", e.type);
    m.put("dateTime", e.dateTime);
    if (e.person != null) {
      Person p = e.person;
      Map<String, Object> s = new TreeMap<>();
      s.put("id", p.id);
      s.put("name", p.name);
      s.put("emailAddress", p.emailAddress);
      s.put("creditCard", p.creditCard);
      s.put("city", p.city);
      s.put("state", p.state);
      s.put("dateTime", p.dateTime);
      s.put("extra", p.extra);
      m.put("person", s);
    }
    if (e.auction != null) {
      Auction a = e.auction;
      Map<String, Object> s = new TreeMap<>();
      s.put("id", a.id);
      s.put("itemName", a.itemName);
      s.put("description", a.description);
      s.put("initialBid", a.initialBid);
      s.put("reserve", a.reserve);
      s.put("dateTime", a.dateTime);
      s.put("expires", a.expires);
      s.put("seller", a.seller);
      s.put("category", a.category);
      s.put("extra", a.extra);
      m.put("auction", s);
    }
    if (e.bid != null) {
      Bid b = e.bid;
      Map<String, Object> s = new TreeMap<>();
      s.put("auction", b.auction);
      s.put("bidder", b.bidder);
      s.put("price", b.price);
      s.put("channel", b.channel);
      s.put("url", b.url);
      s.put("dateTime", b.dateTime);
      s.put("extra", b.extra);
      m.put("bid", s);
    }
    return json(m);
  }
}
