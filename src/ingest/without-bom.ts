import { Transform } from 'node:stream';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Drops a leading UTF-8 byte-order mark. csv-parse's own `bom` option is not usable here:
 * on finding one it switches the parser's encoding to UTF-8, so the latin1 byte-for-byte
 * reading (and with it the UTF-8 check of each field) would break for every non-ASCII row.
 */
export function withoutBom(): Transform {
  let head: Buffer | null = Buffer.alloc(0);
  const release = (transform: Transform) => {
    const bytes = head!;
    head = null;
    transform.push(bytes.subarray(0, BOM.length).equals(BOM) ? bytes.subarray(BOM.length) : bytes);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (head === null) return callback(null, chunk);
      head = Buffer.concat([head, chunk]);
      if (head.length >= BOM.length) release(this);
      callback();
    },
    flush(callback) {
      if (head !== null) release(this);
      callback();
    },
  });
}
