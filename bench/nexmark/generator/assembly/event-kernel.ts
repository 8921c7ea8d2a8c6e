/**
 * The numeric core of the Nexmark generator, in AssemblyScript (compiled to
 * `../event-kernel.wasm` by `npm run build:nexmark-kernel`; ADR 0025).
 *
 * It draws every random field of a batch of events exactly as the TypeScript reference
 * (`../bid-generator.ts`, `../auction-generator.ts`, `../person-generator.ts`) and the Java
 * baseline do, and writes them as numbers (one row of {@link ROW_FIELDS} f64 per event) plus the
 * bytes of the random strings (an arena); `../event-kernel.ts` turns the rows into event objects.
 * Why WebAssembly: `java.util.Random` is 48-bit arithmetic, one i64 multiply here and a float
 * product, a floor and three `Math.imul` in JavaScript, and a string of 50 characters takes ~100
 * draws — the JavaScript port cost 2.5× the Java generator per event.
 *
 * Memory (fixed, no allocator: `--runtime stub`, nothing is ever allocated):
 * `[OUT, OUT + BATCH·ROW_BYTES)` rows, `[ARENA, …)` string bytes, `[TABLE, …)` the price table
 * (written once by the host), `[SCRATCH, …)` one untrimmed string.
 */

// The host writes these regions; their offsets are part of the module's contract with it.
const OUT: usize = 0;
const ROW_FIELDS: i32 = 14;
const ROW_BYTES: usize = 8 * <usize>ROW_FIELDS;
const BATCH: i32 = 512;
const ARENA: usize = 65536;
const TABLE: usize = 196608;
const SCRATCH: usize = 262144;

/** Row fields (f64 slots); the host reads the same numbers. */
const F_TYPE = 0;
const F_TIME = 1;

/** `Math.pow` of the host: the exact price formula for draws near a rounding boundary. */
@external('env', 'pow')
declare function hostPow(base: f64, exponent: f64): f64;

// java.util.Random: seed = (seed · 0x5DEECE66D + 0xB) mod 2^48.
const MULT: u64 = 0x5deece66d;
const MASK: u64 = 0xffffffffffff;
let seed: u64 = 0;

@inline
function next(bits: i32): i32 {
  seed = (seed * MULT + 0xb) & MASK;
  return <i32>(seed >> (48 - bits));
}

/** `nextInt(bound)`, Java 17's legacy algorithm (rejection on the last, partial range). */
@inline
function nextInt(bound: i32): i32 {
  let r = next(31);
  const m = bound - 1;
  if ((bound & m) == 0) return <i32>((<i64>bound * <i64>r) >> 31);
  let u = r;
  while (true) {
    r = u % bound;
    if (u - r + m >= 0) break;
    u = next(31);
  }
  return r;
}

function nextLong(): i64 {
  const high = <i64>next(32);
  const low = <i64>next(32);
  return (high << 32) + low;
}

/** Nexmark's `nextLong(random, n)`: `nextInt(n)` below 2^31 − 1, else `|nextLong() % n|`. */
function randLong(n: i64): i64 {
  if (n < 0x7fffffff) return <i64>nextInt(<i32>n);
  const r = nextLong() % n;
  return r < 0 ? -r : r;
}

function nextDouble(): f64 {
  const a = <i64>next(26);
  const b = <i64>next(27);
  return <f64>((a << 27) + b) * (1.0 / 9007199254740992.0);
}

/** `round(10^(6u) · 100)`: the reference's table and series, the host's pow near a half. */
function nextPrice(): f64 {
  const y = nextDouble() * 6;
  const k = <i32>Math.floor(y * 1024);
  const t = (y - <f64>k / 1024) * Math.LN10;
  const z =
    load<f64>(TABLE + (<usize>k << 3)) *
    (1 + t * (1 + t * (0.5 + t * (1.0 / 6 + t * (1.0 / 24 + t * (1.0 / 120))))));
  const f = z - Math.floor(z);
  if (f > 0.5 - 1e-5 && f < 0.5 + 1e-5) return Math.floor(hostPow(10, y) * 100 + 0.5);
  return Math.floor(z + 0.5);
}

// Event ids (the Nexmark spec §1.3): proportions 1 person : 3 auctions : 46 bids.
const TOTAL: i64 = 50;

function lastPerson(eventId: i64): i64 {
  const epoch = eventId / TOTAL;
  let offset = eventId % TOTAL;
  if (offset >= 1) offset = 0;
  return epoch + offset;
}

function lastAuction(eventId: i64): i64 {
  let epoch = eventId / TOTAL;
  let offset = eventId % TOTAL;
  if (offset < 1) {
    epoch -= 1;
    offset = 2;
  } else if (offset >= 4) {
    offset = 2;
  } else {
    offset -= 1;
  }
  return epoch * 3 + offset;
}

function nextPerson0(eventId: i64): i64 {
  const numPeople = lastPerson(eventId) + 1;
  const active = numPeople < 1000 ? numPeople : 1000;
  return numPeople - active + randLong(active + 10);
}

function nextAuction0(eventId: i64): i64 {
  const maxAuction = lastAuction(eventId);
  const minAuction = maxAuction - 100 > 0 ? maxAuction - 100 : 0;
  return minAuction + randLong(maxAuction - minAuction + 1 + 10);
}

/** Where the next string's bytes go in the arena. */
let arenaEnd: usize = ARENA;

/**
 * `nextString(max, sp)`: 3 + rand(max − 3) characters, `sp` with probability 1/13, else
 * 'a' + rand(26); trimmed of spaces. Appended to the arena; returns the new arena end.
 */
function nextString(maxLength: i32, sp: i32): usize {
  const len = 3 + nextInt(maxLength - 3);
  for (let i = 0; i < len; i++) {
    store<u8>(SCRATCH + <usize>i, nextInt(13) == 0 ? sp : 97 + nextInt(26));
  }
  let start = 0;
  let end = len;
  if (sp == 32) {
    while (start < end && load<u8>(SCRATCH + <usize>start) == 32) start++;
    while (end > start && load<u8>(SCRATCH + <usize>(end - 1)) == 32) end--;
  }
  memory.copy(arenaEnd, SCRATCH + <usize>start, <usize>(end - start));
  arenaEnd += <usize>(end - start);
  return arenaEnd;
}

/** `nextExtra(cur, avg)`: writes the offset and size of the cut from the 1 MiB text at `row + slot`. */
function nextExtra(row: usize, slot: i32, currentSize: i32, average: i32): void {
  let offset = 0;
  let size = 0;
  if (currentSize <= average) {
    const d = average - currentSize;
    const delta = <i32>Math.floor(<f64>d * 0.2 + 0.5);
    size = d - delta + (delta == 0 ? 0 : nextInt(2 * delta));
    offset = nextInt((1 << 20) - size);
  }
  store<f64>(row + (<usize>slot << 3), <f64>offset);
  store<f64>(row + (<usize>(slot + 1) << 3), <f64>size);
}

@inline
function put(row: usize, slot: i32, value: f64): void {
  store<f64>(row + (<usize>slot << 3), value);
}

function appendByte(b: i32): void {
  store<u8>(arenaEnd, b);
  arenaEnd++;
}

function appendDigits4(n: i32): void {
  appendByte(48 + n / 1000);
  appendByte(48 + (n / 100) % 10);
  appendByte(48 + (n / 10) % 10);
  appendByte(48 + (n % 10));
}

// Lengths of the host's name tables (for the person's size), one byte each: first names at
// TABLE_LENS, last names at + 16, cities at + 32, states at + 48. The host writes them.
const TABLE_LENS: usize = TABLE + 6145 * 8;
const FIRST_NAMES = 11;
const LAST_NAMES = 9;
const CITIES = 10;
const STATES = 6;

/**
 * Person row: id, first·9 + last name index, email start, email end (= credit card start), credit
 * card end, city, state, extra offset, extra size.
 */
function person(row: usize, eventId: i64): void {
  put(row, 2, <f64>(lastPerson(eventId) + 1000));
  const first = nextInt(FIRST_NAMES);
  const last = nextInt(LAST_NAMES);
  put(row, 3, <f64>(first * LAST_NAMES + last));
  const emailStart = arenaEnd;
  nextString(7, 32);
  appendByte(64); // '@'
  nextString(5, 32);
  appendByte(46); // ".com"
  appendByte(99);
  appendByte(111);
  appendByte(109);
  const emailEnd = arenaEnd;
  for (let i = 0; i < 4; i++) {
    if (i > 0) appendByte(32);
    appendDigits4(nextInt(10000));
  }
  put(row, 4, <f64>emailStart);
  put(row, 5, <f64>emailEnd);
  put(row, 6, <f64>arenaEnd);
  const city = nextInt(CITIES);
  const state = nextInt(STATES);
  put(row, 7, <f64>city);
  put(row, 8, <f64>state);
  const nameLength =
    <i32>load<u8>(TABLE_LENS + <usize>first) + 1 + <i32>load<u8>(TABLE_LENS + 16 + <usize>last);
  const emailLength = <i32>(emailEnd - emailStart);
  const cityLength = <i32>load<u8>(TABLE_LENS + 32 + <usize>city);
  const stateLength = <i32>load<u8>(TABLE_LENS + 48 + <usize>state);
  nextExtra(row, 9, 8 + nameLength + emailLength + 19 + cityLength + stateLength, 200);
}

/**
 * Auction row: id, item name start, item name end (= description start), description end,
 * initial bid, reserve, expires, seller, category, extra offset, extra size.
 */
function auction(row: usize, eventId: i64, adj: f64, timestamp: f64): void {
  put(row, 2, <f64>(lastAuction(eventId) + 1000));
  let seller: i64;
  if (nextInt(4) > 0) seller = (lastPerson(eventId) / 100) * 100;
  else seller = nextPerson0(eventId);
  const category = 10 + nextInt(5);
  const initialBid = nextPrice();
  const futureAuction = timestampFor(adj + 1666);
  const twice = <i64>(futureAuction - timestamp) * 2;
  const expires = timestamp + 1 + <f64>randLong(twice > 1 ? twice : 1);
  const itemStart = arenaEnd;
  const itemEnd = nextString(20, 32);
  const descriptionEnd = nextString(100, 32);
  const reserve = initialBid + nextPrice();
  put(row, 3, <f64>itemStart);
  put(row, 4, <f64>itemEnd);
  put(row, 5, <f64>descriptionEnd);
  put(row, 6, initialBid);
  put(row, 7, reserve);
  put(row, 8, expires);
  put(row, 9, <f64>(seller + 1000));
  put(row, 10, <f64>category);
  nextExtra(row, 11, 8 + <i32>(descriptionEnd - itemStart) + 40, 500);
}

/** Bid row: auction, bidder, price, channel (hot i as −1 − i, cold c as c), extra offset, size. */
function bid(row: usize, eventId: i64): void {
  let auctionId: i64;
  if (nextInt(2) > 0) auctionId = (lastAuction(eventId) / 100) * 100;
  else auctionId = nextAuction0(eventId);
  let bidder: i64;
  if (nextInt(4) > 0) bidder = (lastPerson(eventId) / 100) * 100 + 1;
  else bidder = nextPerson0(eventId);
  put(row, 2, <f64>(auctionId + 1000));
  // FIRST_PERSON_ID twice, as NX does.
  put(row, 3, <f64>(bidder + 2000));
  put(row, 4, nextPrice());
  let channel: i32;
  if (nextInt(2) > 0) channel = -1 - nextInt(4);
  else channel = nextInt(10000);
  put(row, 5, <f64>channel);
  nextExtra(row, 6, 32, 100);
}

// The split's configuration (see `init`).
let seedBase: i64 = 0;
let firstEventId: i64 = 0;
let firstEventNumber: i64 = 0;
let baseTime: f64 = 0;
let delayUs: f64 = 0;
let count: i64 = 0;

@inline
function timestampFor(eventNumber: f64): f64 {
  return baseTime + Math.floor(Math.floor(eventNumber * delayUs) / 1000);
}

/** Configures the split (as `GeneratorConfig`) and rewinds it to its first event. */
export function init(
  seedValue: i32,
  firstId: f64,
  firstNumber: f64,
  base: f64,
  delay: f64,
): void {
  seedBase = <i64>seedValue << 32;
  firstEventId = <i64>firstId;
  firstEventNumber = <i64>firstNumber;
  baseTime = base;
  delayUs = delay;
  count = 0;
}

/**
 * Generates the next `n` (≤ {@link BATCH}) events into rows 0…n − 1 and the arena, from its start.
 * Returns the arena's end.
 */
export function generate(n: i32): usize {
  arenaEnd = ARENA;
  for (let i = 0; i < n; i++) {
    const row = OUT + <usize>i * ROW_BYTES;
    const num = firstEventNumber + count;
    count++;
    const eventId = firstEventId + num;
    const timestamp = timestampFor(<f64>num);
    // reseed: setSeed(seedBase + eventId), then one discarded draw.
    seed = (<u64>(seedBase + eventId) ^ MULT) & MASK;
    next(32);
    put(row, F_TIME, timestamp);
    const rem = eventId % TOTAL;
    if (rem < 1) {
      put(row, F_TYPE, 0);
      person(row, eventId);
    } else if (rem < 4) {
      put(row, F_TYPE, 1);
      auction(row, eventId, <f64>num, timestamp);
    } else {
      put(row, F_TYPE, 2);
      bid(row, eventId);
    }
  }
  return arenaEnd;
}

/** Constants the host checks against its own at load. */
export function layout(which: i32): i32 {
  if (which == 0) return <i32>ARENA;
  if (which == 1) return <i32>TABLE;
  if (which == 2) return BATCH;
  if (which == 3) return ROW_FIELDS;
  return <i32>TABLE_LENS;
}
