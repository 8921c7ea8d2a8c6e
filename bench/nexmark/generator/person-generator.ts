/** Person fields (the Nexmark spec §1.5 "Person", NX `PersonGenerator`). */
import type { Person } from './events.ts';
import { FIRST_PERSON_ID, lastBase0PersonId } from './id-assignment.ts';
import type { JavaRandom } from './java-random.ts';
import { nextExtra, nextString } from './strings.ts';

const AVG_PERSON_BYTE_SIZE = 200;
/** First names of persons, drawn uniformly. */
export const FIRST_NAMES: readonly string[] = [
  'Peter',
  'Paul',
  'Luke',
  'John',
  'Saul',
  'Vicky',
  'Kate',
  'Julie',
  'Sarah',
  'Deiter',
  'Walter',
];
/** Last names of persons, drawn uniformly. */
export const LAST_NAMES: readonly string[] = [
  'Shultz',
  'Abrams',
  'Spencer',
  'White',
  'Bartels',
  'Walton',
  'Smith',
  'Jones',
  'Noris',
];
/** Cities of persons, drawn uniformly. */
export const US_CITIES: readonly string[] = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
];
/** States of persons, drawn uniformly. */
export const US_STATES: readonly string[] = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];

function pick(values: readonly string[], random: JavaRandom): string {
  return values[random.nextIntBounded(values.length)] as string;
}

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`;
}

/** Generates the person of event `eventId` stamped `timestamp`; draws in NX's order. */
export function nextPerson(eventId: number, random: JavaRandom, timestamp: number): Person {
  const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
  const name = `${pick(FIRST_NAMES, random)} ${pick(LAST_NAMES, random)}`;
  const emailAddress = `${nextString(random, 7)}@${nextString(random, 5)}.com`;
  const c1 = pad4(random.nextIntBounded(10000));
  const c2 = pad4(random.nextIntBounded(10000));
  const c3 = pad4(random.nextIntBounded(10000));
  const c4 = pad4(random.nextIntBounded(10000));
  const creditCard = `${c1} ${c2} ${c3} ${c4}`;
  const city = pick(US_CITIES, random);
  const state = pick(US_STATES, random);
  const currentSize =
    8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
  const extra = nextExtra(random, currentSize, AVG_PERSON_BYTE_SIZE);
  return { id, name, emailAddress, creditCard, city, state, dateTime: timestamp, extra };
}
