import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingestPartOf, parseIngestPart } from '../src/ingest/ingest-part.ts';

test('--part is i/n with 1 <= i <= n', () => {
  assert.deepEqual(parseIngestPart('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '-1/2', '1/2/3']) assert.throws(() => parseIngestPart(bad), RangeError, bad);
});

test('parts split the rows of every day whole, and use every part', () => {
  const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2003, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
  for (const count of [1, 2, 5]) {
    const used = new Set<number>();
    for (const [line, day] of days.entries()) {
      const part = ingestPartOf({ publishedOn: day, line }, count);
      assert.ok(part >= 1 && part <= count);
      // Another line of the same day goes to the same part.
      assert.equal(ingestPartOf({ publishedOn: day, line: line + 7 }, count), part);
      used.add(part);
    }
    assert.equal(used.size, count);
    // Rows without a valid day (rejects) are split by line.
    assert.deepEqual([0, 1, 2, 3, 4].map((line) => ingestPartOf({ line }, count)), [0, 1, 2, 3, 4].map((line) => (line % count) + 1));
  }
});
