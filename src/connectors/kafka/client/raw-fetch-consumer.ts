/**
 * `@platformatic/kafka`'s `Consumer` whose `fetch()` leaves each partition's record batches as
 * bytes ({@link RawFetchPartition.recordBytes}) instead of decoding them into the library's record
 * objects, so {@link decodePartitionRecordBytes} can build Eddy's records in one pass. Like
 * {@link RecordBatchProducer} it swaps only the function the client gets for one API (`Fetch`,
 * versions 13–17, whose responses share one layout) through the exported `kGetApi` hook; the
 * request, connections, retries and error handling stay the library's.
 *
 * @module
 */
import type { API, Callback, Reader, fetchV17 } from '@platformatic/kafka';
import { answerApiRequest } from './library-api-override.ts';
import { kGetApi, platformaticKafka } from './platformatic-kafka-library.ts';

const { fetchV13, fetchV14, fetchV15, fetchV16, ResponseError } = platformaticKafka;

/** A partition of a Fetch response as {@link RawFetchConsumer} returns it. */
export type RawFetchPartition = fetchV17.FetchResponsePartition & {
  /** The partition's record batches, undecoded (absent when the broker returned none). */
  readonly recordBytes?: Buffer;
};

/** The library's Fetch request arguments (v13–v17 agree). */
type FetchArguments = Parameters<typeof fetchV17.createRequest>;
type FetchApi = API<FetchArguments, fetchV17.FetchResponse>;

const REQUESTS = new Map<
  number,
  (...args: FetchArguments) => ReturnType<typeof fetchV17.createRequest>
>([
  [13, fetchV13.createRequest],
  [14, fetchV14.createRequest],
  [15, fetchV15.createRequest],
  [16, fetchV16.createRequest],
  [17, platformaticKafka.fetchV17.createRequest],
]);

/** The library's Fetch response parser (v13–v17), keeping record batches as bytes. */
function parseRawFetchResponse(
  _correlationId: number,
  apiKey: number,
  apiVersion: number,
  reader: Reader,
): fetchV17.FetchResponse {
  const errors: [string, [number, null]][] = [];
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) errors.push(['', [errorCode, null]]);
  const response: fetchV17.FetchResponse = {
    throttleTimeMs,
    errorCode,
    sessionId: reader.readInt32(),
    responses: reader.readArray((r, i) => ({
      topicId: r.readUUID(),
      partitions: r.readArray((r, j): RawFetchPartition => {
        const partition = {
          partitionIndex: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions: r.readArray((r) => ({
            producerId: r.readInt64(),
            firstOffset: r.readInt64(),
          })),
          preferredReadReplica: r.readInt32(),
        };
        if (partition.errorCode !== 0) {
          errors.push([`/responses/${i}/partitions/${j}`, [partition.errorCode, null]]);
        }
        // COMPACT_RECORDS: the length is stored plus one.
        const size = r.readUnsignedVarInt() - 1;
        if (size <= 0) return partition;
        const recordBytes = r.buffer.subarray(r.position, r.position + size).buffer;
        r.skip(size);
        return { ...partition, recordBytes };
      }),
    })),
  };
  if (errors.length > 0) {
    throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  }
  return response;
}

/** Wraps the library's Fetch API: same request, raw record batches in the response. */
function withRawRecords(api: FetchApi): FetchApi {
  const createRequest = REQUESTS.get(api.version);
  if (createRequest === undefined) return api;
  const send = (
    connection: Parameters<FetchApi>[0],
    ...rest: [...FetchArguments, Callback<fetchV17.FetchResponse>?]
  ): void => {
    const callback =
      typeof rest[rest.length - 1] === 'function'
        ? (rest.pop() as Callback<fetchV17.FetchResponse>)
        : () => undefined;
    const args = rest as unknown as FetchArguments;
    connection.send(
      api.key,
      api.version,
      () => createRequest(...args),
      parseRawFetchResponse,
      true,
      true,
      callback,
    );
  };
  return Object.assign(send, { async: api.async, key: api.key, version: api.version }) as FetchApi;
}

/** See the module documentation. */
export class RawFetchConsumer extends platformaticKafka.Consumer {
  override [kGetApi]<RequestArguments extends unknown[], ResponseType>(
    name: string,
    callback: Callback<API<RequestArguments, ResponseType>>,
  ): void {
    answerApiRequest<RequestArguments, ResponseType, FetchApi>(
      name,
      'Fetch',
      (found) => super[kGetApi](name, found),
      callback,
      withRawRecords,
    );
  }
}
