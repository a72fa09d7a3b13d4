import { performance } from 'node:perf_hooks';
import type { ExchangeSink, RecordExtension } from '../record/record-extension.js';
import type { SeenExchange } from '../record/recording.js';
import type { IpcChannel, IpcHandler } from './ipc-channel.js';

/**
 * Recording in a cluster: the primary owns the recordings (the admin API starts and stops
 * them, one file each); it tells every worker which route records into which recording,
 * and the workers capture as a single proxy does and hand each exchange to the primary.
 * `startedAt` crosses as epoch ms and is put back on the primary's clock, so exchanges
 * from different workers keep their offsets in one recording.
 */

export type ActiveRecordings = ReadonlyArray<readonly [route: string, recording: string]>;

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** A worker's side: follow the primary's list of active recordings. */
export function followRecordings(record: RecordExtension, channel: IpcChannel, active: ActiveRecordings): void {
  const sinks = new Map<string, ExchangeSink>();
  for (const [route, id] of active) {
    sinks.set(route, {
      add: (seen) => channel.notify('record.add', { id, seen: { ...seen, startedAt: performance.timeOrigin + seen.startedAt } }),
      skip: () => channel.notify('record.skip', { id }),
    });
  }
  record.follow(sinks);
}

/** The primary's side: exchanges workers captured, into the recording they belong to (dropped once it ended). */
export function recordService(record: RecordExtension): Record<string, IpcHandler> {
  return {
    'record.add': ({ id, seen }: { id: string; seen: SeenExchange }) => {
      record.sink(id)?.add({
        ...seen,
        startedAt: seen.startedAt - performance.timeOrigin,
        request: { ...seen.request, body: asBuffer(seen.request.body) },
        response: { ...seen.response, body: asBuffer(seen.response.body) },
      });
    },
    'record.skip': ({ id }: { id: string }) => {
      record.sink(id)?.skip();
    },
  };
}
