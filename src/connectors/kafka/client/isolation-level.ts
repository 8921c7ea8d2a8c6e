/**
 * Isolation levels of Kafka reads.
 *
 * @module
 */

/**
 * `read_committed` returns only records of committed transactions (and non-transactional
 * records), and never reads past the last stable offset; `read_uncommitted` returns everything
 * up to the high watermark, aborted records included.
 */
export type IsolationLevel = 'read_committed' | 'read_uncommitted';
