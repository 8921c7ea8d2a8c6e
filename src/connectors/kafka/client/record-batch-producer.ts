/**
 * `@platformatic/kafka`'s `Producer` with Eddy's Produce request encoder
 * ({@link encodeProduceRequest}) in place of the library's for uncompressed sends. Everything
 * else — idempotence and sequence numbers, transactions, metadata, leader routing, retries,
 * response parsing — stays the library's: the subclass only swaps the function the producer gets
 * when it asks for the `Produce` API (`kGetApi`, an exported extension point of its clients).
 *
 * @module
 */
import type { API, Callback, Connection, MessageRecord, produceV11 } from '@platformatic/kafka';
import { answerApiRequest } from './library-api-override.ts';
import { encodeProduceRequest, type ProduceRequestOptions } from './produce-request-encoder.ts';
import { kGetApi, platformaticKafka } from './platformatic-kafka-library.ts';

const { produceV10, Writer } = platformaticKafka;

/** The library's Produce response (v10 and v11 agree). */
type ProduceResponse = produceV11.ProduceResponse;

/** The library's Produce API shape (v10 and v11 agree). */
type ProduceApi = API<
  [
    acks: number | undefined,
    timeout: number | undefined,
    topicData: MessageRecord[],
    options?: ProduceRequestOptions,
  ],
  boolean | ProduceResponse
>;

/** The response parsers of the versions whose request layout the encoder writes. */
const PARSERS = new Map<number, typeof produceV11.parseResponse>([
  [10, produceV10.parseResponse],
  [11, platformaticKafka.produceV11.parseResponse],
]);

/** Wraps the library's Produce API: uncompressed requests are encoded by Eddy. */
function withEddyEncoder(api: ProduceApi): ProduceApi {
  const parse = PARSERS.get(api.version);
  if (parse === undefined) return api;
  const send = (
    connection: Connection,
    acks: number | undefined,
    timeout: number | undefined,
    messages: MessageRecord[],
    options?: ProduceRequestOptions,
    callback?: Callback<boolean | ProduceResponse>,
  ): void => {
    if ((options?.compression ?? 'none') !== 'none') {
      api(connection, acks, timeout, messages, options, callback);
      return;
    }
    const ackMode = acks ?? 1;
    connection.send(
      api.key,
      api.version,
      () => {
        const writer = Writer.create().append(
          encodeProduceRequest(ackMode, timeout ?? 0, messages, options ?? {}),
        );
        // acks = 0: the broker sends no response, as the library's own request says.
        if (ackMode === 0) writer.context.noResponse = true;
        return writer;
      },
      parse,
      true,
      true,
      callback ?? (() => undefined),
    );
  };
  return Object.assign(send, {
    async: api.async,
    key: api.key,
    version: api.version,
  }) as ProduceApi;
}

/** See the module documentation. */
export class RecordBatchProducer extends platformaticKafka.Producer {
  override [kGetApi]<RequestArguments extends unknown[], ResponseType>(
    name: string,
    callback: Callback<API<RequestArguments, ResponseType>>,
  ): void {
    answerApiRequest<RequestArguments, ResponseType, ProduceApi>(
      name,
      'Produce',
      (found) => super[kGetApi](name, found),
      callback,
      withEddyEncoder,
    );
  }
}
