/**
 * A batch of records on the record path: values and event timestamps in two parallel arrays
 * (struct of arrays, so a batch costs two arrays, not an object per record). Batches are reused:
 * a consumer must finish with a batch before returning, and never keep or change it.
 *
 * @module
 */
export class RecordBatch {
  /** Record values; only the first `size` are valid. */
  readonly values: unknown[] = [];
  /** Event timestamps (NaN: no timestamp); only the first `size` are valid. */
  readonly timestamps: number[] = [];
  size = 0;

  /** Appends a record. */
  push(value: unknown, timestamp: number): void {
    const n = this.size;
    this.values[n] = value;
    this.timestamps[n] = timestamp;
    this.size = n + 1;
  }
}
