/**
 * Replacing one protocol API of a `@platformatic/kafka` client: its clients ask themselves for an
 * API by name through the exported `kGetApi` method, so a subclass can hand back a wrapped
 * function for one name and the library's own for every other. Used by
 * {@link RecordBatchProducer} (`Produce`) and {@link RawFetchConsumer} (`Fetch`).
 *
 * @module
 */
import type { API, Callback } from '@platformatic/kafka';

/**
 * Answers a `kGetApi(name, callback)` call: the API named `target` is looked up with `lookup`
 * (the superclass's `kGetApi`) and replaced by `wrap(api)`; other names pass through unchanged.
 * `Wrapped` is the target API's own type: the client asks for it only with its own arguments.
 */
export function answerApiRequest<RequestArguments extends unknown[], ResponseType, Wrapped>(
  name: string,
  target: string,
  lookup: (callback: Callback<API<RequestArguments, ResponseType>>) => void,
  callback: Callback<API<RequestArguments, ResponseType>>,
  wrap: (api: Wrapped) => Wrapped,
): void {
  if (name !== target) {
    lookup(callback);
    return;
  }
  lookup((error, api) => {
    if (error !== null || api === undefined) {
      callback(error);
      return;
    }
    callback(
      null,
      wrap(api as unknown as Wrapped) as unknown as API<RequestArguments, ResponseType>,
    );
  });
}
