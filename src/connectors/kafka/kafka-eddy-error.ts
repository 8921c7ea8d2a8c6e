/**
 * Kafka client errors as `EddyError`s of the source or sink that met them.
 *
 * @module
 */
import { EddyError } from '../../errors/eddy-error.ts';
import { KafkaClientError } from './client/kafka-client-error.ts';

/** What to tell the user for each failure reason. */
const HINTS: Readonly<Record<string, string>> = {
  'producer-fenced':
    'another instance of this job (or another job) uses the same transactional id prefix: stop it, or give each job its own setTransactionalIdPrefix(...)',
  'unknown-topic-or-partition':
    'create the topic first (Eddy does not create topics), or check the topic names and the bootstrap servers',
  unavailable:
    'check that the brokers in setBootstrapServers(...) are reachable; the job restarts from its last checkpoint when a restart strategy is set',
  'offset-out-of-range': 'the saved position is no longer in the log (retention deleted it)',
  'invalid-state': 'this is a bug in the Kafka connector; please report it with the log',
};

/**
 * Wraps `error` as `SOURCE_FAILED` / `SINK_FAILED` (domain external), naming the operator and
 * saying what was being done; retryable when the client says so (broker unavailable, timeout).
 */
export function kafkaEddyError(
  error: unknown,
  code: 'SOURCE_FAILED' | 'SINK_FAILED',
  operator: string,
  what: string,
): EddyError {
  if (error instanceof EddyError) return error;
  const reason = error instanceof KafkaClientError ? error.reason : 'failed';
  const message = error instanceof Error ? error.message : String(error);
  return new EddyError(`Kafka ${what} failed: ${message}`, {
    code,
    domain: 'external',
    retryable:
      error instanceof KafkaClientError ? error.retryable || reason === 'unavailable' : true,
    cause: error,
    operator: { name: operator },
    hint: HINTS[reason] ?? 'check the broker logs and the connector settings',
  });
}
