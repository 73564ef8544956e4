import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { boundedDocumentStore } from '../src/server/bounded-document-store.ts';

test('document store: a stream of distinct documents recycles a bounded budget, most recent kept', async () => {
  const doc = (n: number) => parse(`# ${String(n).padStart(6, '0')}\n{ search(query: "x") { edges { node { id } } } }`);
  const perDocument = 128 * doc(0).loc!.source.body.length;
  const store = boundedDocumentStore(perDocument * 10);
  for (let n = 0; n < 1000; n++) await store.set(`k${n}`, doc(n));
  const kept = (await Promise.all(Array.from({ length: 1000 }, (_, n) => store.get(`k${n}`)))).filter(Boolean).length;
  assert.equal(kept, 10);
  assert.ok(await store.get('k999'));
  assert.equal(await store.get('k0'), undefined);
});
