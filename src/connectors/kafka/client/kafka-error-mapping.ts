/**
 * Maps `@platformatic/kafka` errors to {@link KafkaClientError}s. The library nests protocol
 * errors (with an `apiId` such as `PRODUCER_FENCED`) inside `MultipleErrors` / `ResponseError`
 * aggregates and `cause` chains; this walks them.
 *
 * @module
 */
import { KafkaClientError, ProducerFencedError } from './kafka-client-error.ts';

/** Every Kafka protocol error id (`apiId`) found in an error, its aggregates and causes. */
export function protocolErrorIds(error: unknown): Set<string> {
  const ids = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const record = value as { apiId?: unknown; errors?: unknown; cause?: unknown };
    if (typeof record.apiId === 'string') ids.add(record.apiId);
    if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner);
    visit(record.cause);
  };
  visit(error);
  return ids;
}

/** The library error's `code` (`PLT_KFK_TIMEOUT`, `PLT_KFK_NETWORK`, …) anywhere in the chain. */
function libraryCodes(error: unknown): Set<string> {
  const codes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const record = value as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof record.code === 'string') codes.add(record.code);
    if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner);
    visit(record.cause);
  };
  visit(error);
  return codes;
}

/** True when the error says a newer producer with the same transactional id exists. */
export function isFencingError(error: unknown): boolean {
  const ids = protocolErrorIds(error);
  // Brokers answer PRODUCER_FENCED to new request versions and INVALID_PRODUCER_EPOCH to old
  // ones and to produce requests of a fenced epoch.
  return ids.has('PRODUCER_FENCED') || ids.has('INVALID_PRODUCER_EPOCH');
}

/** Wraps any library error in a {@link KafkaClientError} that says what `operation` failed. */
export function toKafkaClientError(
  error: unknown,
  operation: string,
  transactionalId?: string,
): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  if (transactionalId !== undefined && isFencingError(error)) {
    return new ProducerFencedError(transactionalId, error);
  }
  const detail = error instanceof Error ? error.message : String(error);
  const ids = protocolErrorIds(error);
  const idList = ids.size > 0 ? ` [${[...ids].join(', ')}]` : '';
  const message = `Kafka ${operation} failed: ${detail}${idList}`;
  // The library reports a missing topic in metadata as a UserError "Unknown topic <name>."
  const unknownTopic = error instanceof Error && /^Unknown topic /.test(error.message);
  if (unknownTopic || ids.has('UNKNOWN_TOPIC_OR_PARTITION') || ids.has('UNKNOWN_TOPIC_ID')) {
    return new KafkaClientError(message, { reason: 'unknown-topic-or-partition', cause: error });
  }
  if (ids.has('INVALID_TXN_STATE')) {
    return new KafkaClientError(message, { reason: 'invalid-state', cause: error });
  }
  const codes = libraryCodes(error);
  if (codes.has('PLT_KFK_TIMEOUT') || codes.has('PLT_KFK_NETWORK')) {
    return new KafkaClientError(message, { reason: 'unavailable', retryable: true, cause: error });
  }
  return new KafkaClientError(message, { reason: 'failed', cause: error });
}
