/**
 * Makes StreamV2Error cross the worker boundary intact. Comlink's stock "throw" handler keeps
 * only message, name and stack; ours also keeps code, segmentIndex and frameIndex and rebuilds
 * a real StreamV2Error on the other side. Installed by the pool and by each worker's API, not
 * by an import (Comlink's handlers are one global table, so installing twice is harmless).
 */
import { type TransferHandler, transferHandlers } from 'comlink';
import { type ErrorCode, StreamV2Error } from '../errors.js';

interface Thrown {
  value: unknown;
}
interface SerializedV2 {
  streamV2: true;
  code: ErrorCode;
  message: string;
  segmentIndex: number | undefined;
  frameIndex: number | undefined;
}

const stock = transferHandlers.get('throw') as TransferHandler<Thrown, unknown>;
const PREFIX = /^[A-Z_]+: /;

const handler: TransferHandler<Thrown, unknown> = {
  canHandle: (v: unknown): v is Thrown => stock.canHandle(v),
  serialize(thrown: Thrown) {
    const e = thrown.value;
    if (!StreamV2Error.is(e)) return stock.serialize(thrown);
    const s: SerializedV2 = {
      streamV2: true,
      code: e.code,
      // The constructor re-adds the code prefix and the position suffix.
      message: e.message.replace(PREFIX, '').replace(/ \(segment \d+(, frame \d+)?\)$/, ''),
      segmentIndex: e.segmentIndex,
      frameIndex: e.frameIndex,
    };
    return [s, []];
  },
  deserialize(s: unknown): Thrown {
    const v = s as SerializedV2;
    if (v?.streamV2 !== true) return stock.deserialize(s);
    const pos: { segmentIndex?: number; frameIndex?: number } = {};
    if (v.segmentIndex !== undefined) pos.segmentIndex = v.segmentIndex;
    if (v.frameIndex !== undefined) pos.frameIndex = v.frameIndex;
    throw new StreamV2Error(v.code, v.message, pos);
  },
};

/** Installs the handler in Comlink's table (idempotent): done before any call crosses. */
export function installErrorTransfer(): void {
  if (transferHandlers.get('throw') !== handler)
    transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
