import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../src/server/client-key.ts';
import { TokenBuckets } from '../src/server/token-buckets.ts';

test('token bucket: a burst, then refills at the rate; retry and reset times', () => {
  const buckets = new TokenBuckets(3, 60); // 1 per second
  const at = (s: number) => s * 1000;
  assert.deepEqual([0, 0, 0].map(() => buckets.take('a', at(0)).remaining), [2, 1, 0]);
  const refused = buckets.take('a', at(0.25));
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterSeconds, 1);
  assert.equal(refused.resetSeconds, 3);
  assert.equal(buckets.take('b', at(0.25)).allowed, true, 'buckets are per key');
  assert.equal(buckets.take('a', at(1.3)).allowed, true);
  assert.equal(buckets.take('a', at(1.4)).allowed, false);
  assert.equal(buckets.take('a', at(100)).remaining, 2, 'never more than the burst');
});

test('client key: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
  assert.equal(clientKey('203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey(undefined), 'unknown');
});
