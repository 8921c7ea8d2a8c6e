/** The shape of an Eddy Nexmark query. */
import type { DataStream } from '../../../src/api/data-stream.ts';
import type { CanonicalRecord } from '../canonical.ts';
import type { NexmarkEvent } from '../generator/events.ts';

/** An Eddy Nexmark query: from the event stream to canonical output records. */
export type EddyQuery = (events: DataStream<NexmarkEvent>) => DataStream<CanonicalRecord>;

/** Event time at which "final" results fire: the end-of-input watermark passes it. */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;
