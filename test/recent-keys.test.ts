import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentKeys } from '../src/ingest/recent-keys.ts';

test('RecentKeys holds the last `capacity` distinct keys and forgets older ones', () => {
  const keys = new RecentKeys(3);
  for (const k of ['a', 'b', 'c']) keys.add(k);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => keys.has(k)), [true, true, true, false]);
  keys.add('b'); // already held: no slot used, nothing evicted
  assert.equal(keys.size, 3);
  keys.add('d');
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => keys.has(k)), [false, true, true, true]);
  keys.add('e');
  keys.add('f');
  assert.deepEqual(['b', 'c', 'd', 'e', 'f'].map((k) => keys.has(k)), [false, false, true, true, true]);
  assert.equal(keys.size, 3);
  assert.throws(() => new RecentKeys(0), RangeError);
});

test('RecentKeys: a long stream keeps exactly the window', () => {
  const keys = new RecentKeys(1000);
  for (let i = 0; i < 50_000; i++) keys.add(`k${i}`);
  assert.equal(keys.size, 1000);
  assert.equal(keys.has('k48999'), false);
  assert.equal(keys.has('k49000'), true);
  assert.equal(keys.has('k49999'), true);
});
