import type { Readable } from 'node:stream';

/** The stream's first chunk, pushed back so the stream is unchanged; null when it is empty. */
export function peekChunk(stream: Readable): Promise<Buffer | null> {
  // An ended stream emits nothing more: waiting for an event would wait forever (a second
  // peek of an empty source did).
  if (stream.errored) return Promise.reject(stream.errored);
  if (stream.readableEnded || stream.destroyed) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const done = (value: Buffer | null) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError);
      resolve(value);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) stream.unshift(chunk);
      done(chunk);
    };
    const onEnd = () => done(null);
    const onError = (error: Error) => {
      stream.off('readable', onReadable).off('end', onEnd);
      reject(error);
    };
    stream.once('readable', onReadable).once('end', onEnd).once('error', onError);
  });
}
