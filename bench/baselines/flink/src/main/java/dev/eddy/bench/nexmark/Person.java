package dev.eddy.bench.nexmark;

/** Nexmark person (a Flink POJO). Mirrors bench/nexmark/generator/events.ts. */
public class Person {
  public long id;
  public String name;
  public String emailAddress;
  public String creditCard;
  public String city;
  public String state;
  public long dateTime;
  public String extra;

  public Person() {}
}
