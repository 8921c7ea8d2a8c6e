package dev.eddy.bench.nexmark;

/** Nexmark bid (a Flink POJO). Mirrors bench/nexmark/generator/events.ts. */
public class Bid {
  public long auction;
  public long bidder;
  public long price;
  public String channel;
  public String url;
  public long dateTime;
  public String extra;

  public Bid() {}
}
