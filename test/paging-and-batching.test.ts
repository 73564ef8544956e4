import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor } from '../src/search/cursor.ts';
import { collapseRanking } from '../src/search/collapse-ranking.ts';
import { pageResults } from '../src/search/page-results.ts';
import { MAX_DEPTH } from '../src/search/validate-search-input.ts';
import type { Embedder } from '../src/embedding/embedder.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import type { ScoredHeadline } from '../src/shared/search-types.ts';

const F = 'fingerprint';
/** A ranking of n rows: similarity falling, ties every third row, ids not in rank order. */
const ranking = (n: number, startRank = 1): ScoredHeadline[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(1000 + ((i * 7) % n)),
    publishedOn: '2010-01-01',
    text: `row ${i}`,
    similarity: 0.9 - Math.floor(i / 3) * 0.01,
    score: 0.9 - Math.floor(i / 3) * 0.01,
    matchedTerms: [],
    rank: startRank + i,
  }));
const ids = (page: ReturnType<typeof pageResults>) => page.edges.map((e) => e.node.id);

test('page(): the first page, cursors that decode to each row, and hasNextPage from the extra row', () => {
  const rows = ranking(11);
  const page = pageResults(rows, null, 10, F);
  assert.deepEqual(ids(page), rows.slice(0, 10).map((r) => r.id));
  assert.equal(page.pageInfo.hasNextPage, true);
  assert.deepEqual(decodeCursor(page.pageInfo.endCursor!, F), { rank: 10, score: rows[9]!.score, similarity: rows[9]!.similarity, id: rows[9]!.id });
  const last = pageResults(rows.slice(0, 10), null, 10, F);
  assert.equal(last.pageInfo.hasNextPage, false, 'no extra row: no next page');
});

test('page(): after a cursor, pages concatenate to the whole ranking with no gap or repeat', () => {
  const rows = ranking(25);
  const seen: string[] = [];
  let after = null;
  for (let guard = 0; guard < 10; guard++) {
    const page = pageResults(rows, after, 4, F);
    seen.push(...ids(page));
    if (!page.pageInfo.hasNextPage) break;
    after = decodeCursor(page.pageInfo.endCursor!, F);
  }
  assert.deepEqual(seen, rows.map((r) => r.id));
});

test('page(): a cursor row that is gone (corpus changed) continues strictly after its (score, similarity, id)', () => {
  const rows = ranking(12);
  const gone = rows[5]!;
  const page = pageResults(rows.filter((r) => r !== gone), { rank: gone.rank, score: gone.score, similarity: gone.similarity, id: gone.id }, 3, F);
  const expected = rows.filter((r) => r.similarity < gone.similarity || (r.similarity === gone.similarity && BigInt(r.id) > BigInt(gone.id)));
  assert.deepEqual(ids(page), expected.slice(0, 3).map((r) => r.id));
});

test('page(): no next page past the documented depth, and an empty page has no cursor', () => {
  const deep = ranking(12, MAX_DEPTH - 9);
  const page = pageResults(deep, null, 10, F);
  assert.equal(page.edges.at(-1)!.node.id, deep[9]!.id);
  assert.equal(page.pageInfo.hasNextPage, false);
  assert.deepEqual(pageResults([], null, 10, F).pageInfo, { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  const past = pageResults([], { rank: 3, score: 0.1, similarity: 0.1, id: '7' }, 10, F);
  assert.deepEqual(past.pageInfo, { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
});

test('page(): Relay PageInfo: startCursor is the first edge, hasPreviousPage only after a cursor', () => {
  const rows = ranking(25);
  const first = pageResults(rows, null, 5, F);
  assert.equal(first.pageInfo.startCursor, first.edges[0]!.cursor);
  assert.equal(first.pageInfo.hasPreviousPage, false);
  const second = pageResults(rows, decodeCursor(first.pageInfo.endCursor!, F), 5, F);
  assert.equal(second.pageInfo.hasPreviousPage, true);
  assert.equal(decodeCursor(second.pageInfo.startCursor!, F).id, rows[5]!.id);
});

/** A model that records each call's texts and takes `ms` per call. */
function countingModel(ms: number) {
  const calls: string[][] = [];
  const model: Embedder = {
    modelId: 'counting',
    dimensions: 2,
    backend: 'test',
    async embed(texts) {
      calls.push([...texts]);
      await new Promise((r) => setTimeout(r, ms));
      return texts.map((t) => new Float32Array([t.length, 1]));
    },
    close: async () => undefined,
  };
  return { calls, model };
}

test('query batching: queries that arrive while the model is busy share its next call; repeats share a slot', async () => {
  const { calls, model } = countingModel(30);
  const embedder = createQueryEmbedder(model, { cacheSize: 0 });
  const first = embedder.embedQuery('alpha');
  await new Promise((r) => setTimeout(r, 5)); // the model is now busy with "alpha"
  const rest = ['bravo', 'charlie', 'Bravo ', 'delta'].map((t) => embedder.embedQuery(t));
  const vectors = await Promise.all([first, ...rest]);
  assert.deepEqual(calls, [['alpha'], ['bravo', 'charlie', 'delta']]);
  assert.deepEqual(vectors.map((v) => v[0]), [5, 5, 7, 5, 5]);
});

test('query batching: at most maxBatch texts per call, in arrival order; the cache answers repeats without a call', async () => {
  const { calls, model } = countingModel(10);
  const embedder = createQueryEmbedder(model, { cacheSize: 10, maxBatch: 2 });
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => embedder.embedQuery(t)));
  assert.deepEqual(calls, [['a'], ['b', 'c'], ['d', 'e']]);
  await embedder.embedQuery('c');
  assert.equal(calls.length, 3);
});

test('collapseRanking(): folds into the best-ranked near-duplicate leader, never into a folded row; lists a fold only above the next leader', () => {
  const rows = ['a', 'b', 'c', 'd', 'e', 'f'];
  // b~a, c~b (b is folded, so c stays a leader), d~c and d~a (a ranks better), e~c, f~a (below the next leader, c).
  const pair = (earlier: number, later: number) => ({ earlier, later, similarity: 0.99 });
  const groups = collapseRanking(rows, [pair(0, 1), pair(1, 2), pair(2, 3), pair(0, 3), pair(2, 4), pair(0, 5)]);
  // d folds into a (its best-ranked leader) but ranks below c, the next leader: not listed.
  assert.deepEqual(groups.map((g) => [g.leader, g.duplicates]), [['a', ['b']], ['c', ['e']]]);
});

test('collapseRanking(): the groups of a prefix are the first groups of the whole, duplicates and all, except the open last one', () => {
  const rows = Array.from({ length: 40 }, (_, i) => i);
  // Deterministic pseudo-random pairs.
  const pairs: Array<{ earlier: number; later: number; similarity: number }> = [];
  for (let later = 1; later < rows.length; later++) for (let earlier = 0; earlier < later; earlier++) if ((earlier * 31 + later * 17) % 11 === 0) pairs.push({ earlier, later, similarity: 0.97 });
  const whole = collapseRanking(rows, pairs);
  for (let n = 1; n <= rows.length; n++) {
    const prefix = collapseRanking(rows.slice(0, n), pairs.filter((p) => p.later < n));
    assert.deepEqual(prefix.slice(0, -1), whole.slice(0, prefix.length - 1), `prefix of ${n}`);
    assert.equal(prefix.at(-1)!.leader, whole[prefix.length - 1]!.leader);
  }
});
