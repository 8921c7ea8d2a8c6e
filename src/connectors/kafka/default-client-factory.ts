/**
 * The client the Kafka connectors use unless told otherwise: `@platformatic/kafka` behind the
 * port (docs/adr/0003-kafka-client.md).
 *
 * @module
 */
import { PlatformaticKafkaClient } from './client/platformatic-kafka-client.ts';
import type { KafkaClientFactory } from './kafka-source-options.ts';

/** Creates a {@link PlatformaticKafkaClient}. */
export const defaultKafkaClientFactory: KafkaClientFactory = (bootstrapServers, clientId) =>
  new PlatformaticKafkaClient({ bootstrapBrokers: bootstrapServers, clientId });

/** Splits `host:port,host:port` lists and trims them. */
export function parseBootstrapServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : servers;
  return list.map((s) => s.trim()).filter((s) => s !== '');
}
