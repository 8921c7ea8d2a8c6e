/**
 * Record shapes crossing the Kafka client port, for reading and for writing.
 *
 * Offsets and timestamps are JavaScript numbers, not bigints: offsets stay far below 2^53 in
 * practice (a partition would need 9·10^15 records), numbers are what the engine stores in its
 * JSON checkpoint metadata, compares in hot paths and reports as lag, and they cost no allocation
 * per record. Implementations convert once at the boundary and fail loudly on an unsafe value.
 *
 * @module
 */

/** One record header. Kafka allows repeated keys, so headers are a list, in wire order. */
export interface KafkaHeader {
  /** The header's key, decoded as UTF-8 (Kafka's clients treat header keys as strings). */
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record read from a partition. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch (CreateTime or LogAppendTime, as the topic says). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly KafkaHeader[];
}

/** A record to write. */
export interface ProducerRecord {
  readonly topic: string;
  /**
   * The target partition. When absent, records with a key go to murmur2(key) % partitions
   * (Kafka's default partitioner, so other clients agree on key placement); records without a
   * key go to a partition chosen by the client.
   */
  readonly partition?: number;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly KafkaHeader[];
  /** Milliseconds since the epoch; the producer's clock when absent. */
  readonly timestamp?: number;
}
