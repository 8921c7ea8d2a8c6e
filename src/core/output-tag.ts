/**
 * A typed, named side output.
 *
 * @example
 * ```ts
 * const invalid = new OutputTag<RawEvent>('invalid');
 * const valid = events.process((e, ctx, out) => (isValid(e) ? out.collect(e) : ctx.output(invalid, e)));
 * valid.getSideOutput(invalid).print();
 * ```
 */
export class OutputTag<T> {
  /** Marker for type inference; never set. */
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (id.length === 0) throw new TypeError('OutputTag id must not be empty');
  }
  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
