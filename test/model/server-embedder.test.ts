import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { createEmbedder } from '../../src/embedding/create-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { cosine } from '../../src/eval/correlation.ts';
import { silentLogger } from '../../src/logger.ts';

const texts = Array.from({ length: 64 }, (_, i) => `storm damage across the state as crews work overnight number ${i}`);

describe("the API's query model on its own worker thread", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-server-embedder-'));
  let server: Embedder;
  let local: Embedder;

  before(async () => {
    const config = parseConfig({ DATA_DIR: dataDir, EMBED_BACKEND: 'onnx', EMBED_MODEL: 'use-lite', EMBED_QUERY_THREADS: '2' });
    [server, local] = await Promise.all([createEmbedder(config, silentLogger, 'server'), createEmbedder(config, silentLogger, 'query')]);
  });

  after(async () => {
    await Promise.all([server?.close(), local?.close()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('gives the in-process vectors', async () => {
    assert.equal(server.backend, 'onnx');
    assert.equal(server.modelId, local.modelId);
    const [a, b] = [await server.embed(texts), await local.embed(texts)];
    a.forEach((v, i) => assert.ok(cosine(v, b[i]!) > 0.99999, `text ${i}`));
  });

  test('leaves the event loop free while it embeds (the in-process model holds it for the whole call)', async () => {
    const ticksDuring = async (embedder: Embedder) => {
      let ticks = 0;
      let done = false;
      const tick = (): void => {
        if (done) return;
        ticks++;
        setImmediate(tick);
      };
      const embedding = embedder.embed(texts).finally(() => (done = true));
      setImmediate(tick);
      await embedding;
      return ticks;
    };
    const [onWorker, inProcess] = [await ticksDuring(server), await ticksDuring(local)];
    assert.ok(onWorker > inProcess, `event-loop turns during one 64-text call: worker ${onWorker}, in-process ${inProcess}`);
    assert.ok(inProcess <= 2, `the in-process call blocks the loop (${inProcess} turns), which is why the server does not use it`);
  });
});
