package dev.eddy.bench.nexmark;

/**
 * One element of the Nexmark union stream: {@code type} 0 = person, 1 = auction, 2 = bid; only the
 * matching field is non-null (a Flink POJO; its serializer handles the null fields).
 */
public class Event {
  public static final int PERSON = 0;
  public static final int AUCTION = 1;
  public static final int BID = 2;

  public int type;
  public long dateTime;
  public Person person;
  public Auction auction;
  public Bid bid;

  public Event() {}
}
