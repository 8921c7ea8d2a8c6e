package dev.eddy.bench.nexmark;

/** Nexmark auction (a Flink POJO). Mirrors bench/nexmark/generator/events.ts. */
public class Auction {
  public long id;
  public String itemName;
  public String description;
  public long initialBid;
  public long reserve;
  public long dateTime;
  public long expires;
  public long seller;
  public long category;
  public String extra;

  public Auction() {}
}
