/**
 * What a Kafka sink promises about its output (Flink's `DeliveryGuarantee`).
 *
 * - `none`: records are sent as they come; a failure can lose or duplicate them.
 * - `at-least-once`: an idempotent producer, flushed at every checkpoint and at the end; after a
 *   failure, records since the last checkpoint are written again (duplicates, never losses).
 * - `exactly-once`: a Kafka transaction per checkpoint, committed when the checkpoint completes;
 *   `read_committed` consumers see each record once. Needs checkpointing (or a bounded job, which
 *   commits at the end) and a transactional id prefix unique to the job.
 *
 * @module
 */
export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';
