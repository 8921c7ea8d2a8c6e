/**
 * q3 local item suggestion: auctions of category 10 joined with persons from OR, ID or CA on
 * seller = id — a keyed two-input join holding the person, and the auctions that came first.
 */
import { ValueStateDescriptor } from '../../../src/core/state-descriptor.ts';
import type { ValueState } from '../../../src/core/state.ts';
import type { KeyedCoProcessFunction } from '../../../src/core/functions/co-process-function.ts';
import type { Collector } from '../../../src/core/functions/collector.ts';
import type { Context } from '../../../src/core/functions/context.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { Auction, NexmarkEvent, Person } from '../generator/events.ts';
import type { EddyQuery } from './eddy-query.ts';

class LocalItemJoin implements KeyedCoProcessFunction<number, Auction, Person, CanonicalRecord> {
  private person!: ValueState<Person>;
  private waiting!: ValueState<number[]>;

  open(ctx: Context<number>): void {
    this.person = ctx.getState(new ValueStateDescriptor<Person>('person'));
    this.waiting = ctx.getState(new ValueStateDescriptor<number[]>('waiting-auctions'));
  }

  processElement1(a: Auction, _ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const p = this.person.value();
    if (p !== undefined) {
      out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
      return;
    }
    const list = this.waiting.value();
    if (list === undefined) this.waiting.update([a.id]);
    else list.push(a.id);
  }

  processElement2(p: Person, _ctx: Context<number>, out: Collector<CanonicalRecord>): void {
    const list = this.waiting.value();
    if (list !== undefined) {
      for (const id of list) out.collect({ name: p.name, city: p.city, state: p.state, id });
      this.waiting.clear();
    }
    this.person.update(p);
  }
}

export const q3: EddyQuery = (events) => {
  const auctions = events
    .filter((e: NexmarkEvent) => e.auction !== null && e.auction.category === 10)
    .name('auctions of category 10')
    .map((e: NexmarkEvent) => e.auction as Auction)
    .name('auction');
  const persons = events
    .filter((e: NexmarkEvent) => {
      const p = e.person;
      return p !== null && (p.state === 'OR' || p.state === 'ID' || p.state === 'CA');
    })
    .name('persons in OR/ID/CA')
    .map((e: NexmarkEvent) => e.person as Person)
    .name('person');
  return auctions
    .connect(persons)
    .keyBy(
      (a: Auction) => a.seller,
      (p: Person) => p.id,
    )
    .process(new LocalItemJoin())
    .name('q3 join');
};
