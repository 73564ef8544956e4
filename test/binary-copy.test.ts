import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCopyRows } from '../src/db/binary-copy.ts';

/** The binary16 bits COPY carries for one value (a one-row, one-dimension halfvec, after a 1-day date and empty text). */
function toHalf(value: number): number {
  const buf = encodeCopyRows([{ publishedOn: '2000-01-02', text: '', embedding: Float32Array.of(value), reduced: Float32Array.of(0) }]);
  return buf.readUInt16BE(19 + 2 + 8 + 4 + 8);
}

test('COPY encodes halves as IEEE binary16 for exact, rounded, subnormal and signed values', () => {
  assert.equal(toHalf(0), 0x0000);
  assert.equal(toHalf(-0), 0x8000);
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
  assert.equal(toHalf(0.5), 0x3800);
  assert.equal(toHalf(65504), 0x7bff);
  assert.equal(toHalf(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(toHalf(2 ** -14), 0x0400); // smallest normal
  assert.equal(toHalf(1 + 2 ** -11), 0x3c00); // halfway: ties to even (down)
  assert.equal(toHalf(1 + 3 * 2 ** -11), 0x3c02); // halfway: ties to even (up)
  assert.equal(toHalf(0.1), 0x2e66);
  assert.throws(() => toHalf(70000), /half precision/);
  assert.throws(() => toHalf(Number.NaN), /half precision/);
});

test('binary COPY layout: signature, field count, date, text, halfvec header and values', () => {
  const buf = encodeCopyRows([{ publishedOn: '2000-01-02', text: 'é', embedding: Float32Array.of(1, -2), reduced: Float32Array.of(0.5) }]);
  assert.equal(buf.subarray(0, 11).toString('latin1'), 'PGCOPY\n\xff\r\n\0');
  let o = 19;
  assert.equal(buf.readInt16BE(o), 4);
  assert.equal(buf.readInt32BE(o + 2), 4);
  assert.equal(buf.readInt32BE(o + 6), 1); // one day after 2000-01-01
  assert.equal(buf.readInt32BE(o + 10), 2); // UTF-8 bytes of 'é'
  o += 16;
  assert.equal(buf.readInt32BE(o), 8); // 4-byte header + 2 halves
  assert.equal(buf.readInt16BE(o + 4), 2);
  assert.equal(buf.readUInt16BE(o + 8), 0x3c00);
  assert.equal(buf.readUInt16BE(o + 10), 0xc000);
  assert.equal(buf.readUInt16BE(buf.length - 4), 0x3800);
  assert.equal(buf.readInt16BE(buf.length - 2), -1);
});
