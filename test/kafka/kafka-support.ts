/**
 * Helpers of the Kafka connector tests: produce test records, read a topic back with
 * `read_committed`.
 *
 * @module
 */
import {
  PlatformaticKafkaClient,
  type IsolationLevel,
  type KafkaRecord,
  type ProducerRecord,
} from '../../src/connectors/kafka/index.ts';

/** Writes records with an idempotent producer and waits for their acknowledgement. */
export async function produce(
  bootstrap: string,
  records: readonly ProducerRecord[],
): Promise<void> {
  const client = new PlatformaticKafkaClient({
    bootstrapBrokers: [bootstrap],
    clientId: 'eddy-test-producer',
  });
  const producer = client.createIdempotentProducer();
  try {
    await producer.send(records);
    await producer.flush();
  } finally {
    await producer.close();
    await client.close();
  }
}

/** JSON records spread over partitions by index. */
export function jsonRecords(topic: string, count: number, partitions: number): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition: i % partitions,
    value: Buffer.from(JSON.stringify({ i })),
    timestamp: 1_700_000_000_000 + i,
  }));
}

/**
 * Every record of `topic` up to its end offsets (for read_committed: the last stable offset,
 * waited for until it reaches the high watermark, i.e. no transaction is pending).
 */
export async function readAll(
  bootstrap: string,
  topic: string,
  isolationLevel: IsolationLevel = 'read_committed',
): Promise<KafkaRecord[]> {
  const client = new PlatformaticKafkaClient({
    bootstrapBrokers: [bootstrap],
    clientId: 'eddy-test-reader',
  });
  try {
    const partitions = await client.listPartitions({ topics: [topic] });
    let ends = await client.listOffsets(partitions, 'latest', isolationLevel);
    if (isolationLevel === 'read_committed') {
      // A commit returns before its markers are written: wait (bounded) until the last stable
      // offset catches up with the log end, so a just-committed transaction is visible.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const logEnds = await client.listOffsets(partitions, 'latest', 'read_uncommitted');
        const caughtUp = logEnds.every(
          (l) => ends.find((e) => e.partition === l.partition)?.offset === l.offset,
        );
        if (caughtUp || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 20));
        ends = await client.listOffsets(partitions, 'latest', isolationLevel);
      }
    }
    const out: KafkaRecord[] = [];
    for (const end of ends) {
      let offset = 0;
      while (offset < end.offset) {
        const batch = await client.fetch([{ topic, partition: end.partition, offset }], {
          isolationLevel,
          maxWaitMs: 100,
        });
        const pf = batch.partitions[0];
        if (pf === undefined) break;
        for (const r of pf.records) if (r.offset < end.offset) out.push(r);
        if (pf.nextOffset === offset) break;
        offset = pf.nextOffset;
      }
    }
    return out;
  } finally {
    await client.close();
  }
}
