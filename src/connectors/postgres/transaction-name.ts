/**
 * The names of the exactly-once sink's prepared transactions: `eddy|<prefix>|<subtask>|<checkpoint>`,
 * deterministic from the job (the prefix), the subtask and the checkpoint, so that a restarted
 * job can find what a dead attempt left prepared (`pg_prepared_xacts`) and decide each one:
 * commit what a restored checkpoint covers, roll back the rest (Flink's XA sink derives its
 * XIDs the same way).
 *
 * @module
 */

const SEPARATOR = '|';
const HEAD = `eddy${SEPARATOR}`;
/** PostgreSQL's limit on a prepared transaction's identifier (GIDSIZE, 200 bytes). */
export const MAX_TRANSACTION_NAME_BYTES = 200;

/** The name of the transaction of `subtask` for checkpoint `checkpointId`. */
export function transactionName(prefix: string, subtask: number, checkpointId: number): string {
  return `${HEAD}${prefix}${SEPARATOR}${subtask}${SEPARATOR}${checkpointId}`;
}

/** The parts of a name made by {@link transactionName} with `prefix`, or undefined for others. */
export function parseTransactionName(
  prefix: string,
  name: string,
): { readonly subtask: number; readonly checkpointId: number } | undefined {
  const head = `${HEAD}${prefix}${SEPARATOR}`;
  if (!name.startsWith(head)) return undefined;
  const rest = name.slice(head.length).split(SEPARATOR);
  if (rest.length !== 2) return undefined;
  const subtask = Number(rest[0]);
  const checkpointId = Number(rest[1]);
  if (!Number.isInteger(subtask) || !Number.isInteger(checkpointId)) return undefined;
  return { subtask, checkpointId };
}

/** Why `prefix` cannot name transactions, or undefined when it can. */
export function invalidPrefix(prefix: string): string | undefined {
  if (prefix === '') return 'the transaction name prefix is empty';
  if (prefix.includes(SEPARATOR)) return `the prefix "${prefix}" contains "${SEPARATOR}"`;
  // Room for the subtask and a checkpoint id of up to 15 digits.
  const bytes = Buffer.byteLength(transactionName(prefix, 9999, 1e15));
  if (bytes > MAX_TRANSACTION_NAME_BYTES) {
    return `the prefix "${prefix.slice(0, 40)}…" makes transaction names longer than PostgreSQL's ${MAX_TRANSACTION_NAME_BYTES} bytes`;
  }
  return undefined;
}
