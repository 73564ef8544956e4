import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, ErrorCode } from '../src/errors/app-error.ts';
import type { Embedder } from '../src/embedding/embedder.ts';
import { createHashEmbedder } from '../src/embedding/hash-embedder.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';

const hash = createHashEmbedder();
const hashVector = async (text: string) => (await hash.embed([text]))[0]!;

/**
 * The hash model, refusing any text with a NUL as a model may refuse input it cannot take,
 * and holding its first call until `release` so that later queries merge into one call.
 */
function refusingModel() {
  const calls: string[][] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const model: Embedder = {
    modelId: 'hash-refusing-nul',
    dimensions: 512,
    backend: 'test',
    async embed(texts) {
      calls.push([...texts]);
      if (calls.length === 1) await held;
      const bad = texts.find((t) => t.includes('\0'));
      if (bad !== undefined) throw new AppError(ErrorCode.BAD_USER_INPUT, `cannot embed ${JSON.stringify(bad)}`);
      return hash.embed(texts);
    },
    close: async () => undefined,
  };
  return { calls, model, release };
}

test('one bad query in a merged batch fails only its own callers; the others get their vectors', async () => {
  const { calls, model, release } = refusingModel();
  const embedder = createQueryEmbedder(model, { cacheSize: 10 });
  const first = embedder.embedQuery('alpha');
  // The model is busy with "alpha": these three wait and are merged into the next call.
  const good = embedder.embedQuery('bushfire threatens homes');
  const bad = [embedder.embedQuery('drought\0 farmers'), embedder.embedQuery('drought\0 farmers')];
  const other = embedder.embedQuery('floods in the north');
  release();
  assert.deepEqual(await first, await hashVector('alpha'));
  assert.deepEqual(await good, await hashVector('bushfire threatens homes'));
  assert.deepEqual(await other, await hashVector('floods in the north'));
  for (const b of bad) await assert.rejects(b, (e: unknown) => e instanceof AppError && e.code === ErrorCode.BAD_USER_INPUT && /drought/.test(e.message));
  assert.deepEqual(calls[1], ['bushfire threatens homes', 'drought\0 farmers', 'floods in the north'], 'the three were merged');
  // The good ones were cached from their calls alone: asked again, they need no call.
  const before = calls.length;
  await embedder.embedQuery('floods in the north');
  assert.equal(calls.length, before);
});

test('a failure of the whole model still fails every merged caller', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let n = 0;
  const model: Embedder = {
    modelId: 'gone',
    dimensions: 512,
    backend: 'test',
    async embed() {
      if (n++ === 0) await held;
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedder pool closed');
    },
    close: async () => undefined,
  };
  const embedder = createQueryEmbedder(model, { cacheSize: 0 });
  const all = ['a', 'b', 'c'].map((t) => embedder.embedQuery(t));
  release();
  for (const p of all) await assert.rejects(p, /pool closed/);
});
