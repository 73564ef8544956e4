import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '../src/config/parse-config.ts';
import { apiSchema } from '../src/graphql/api-schema.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines } from './support/api-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const NAMES = 60;

/** Every `operation="…"` label value on the GraphQL request series. */
function operationLabels(metrics: string): Set<string> {
  const labels = new Set<string>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('headline_search_graphql_request')) continue;
    const label = /operation="([^"]*)"/.exec(line)?.[1];
    if (label !== undefined) labels.add(label);
  }
  return labels;
}

describeEachDatabase('/metrics labels requests from a fixed set', (get) => {
  let server: ApiServer;

  before(async () => {
    await loadRandomHeadlines(get().database.db, 20);
    server = await startApiServer({ database: get().database, embedder: countingEmbedder(), modelId: 'test-model', logger: silentLogger, port: 0, settings: parseConfig({ RATE_LIMIT_PER_MINUTE: '0' }) });
  });
  after(async () => {
    await server?.close();
  });

  const post = (query: string, operationName?: string) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) }).then((r) => r.json());

  test('distinct client-written operation names add no series: requests are counted by root field, the rest as other', async () => {
    const fixed = new Set([...apiSchema().rootFields, 'other']);
    const before = await (await fetch(`${server.url}/metrics`)).text();
    for (let i = 0; i < NAMES; i++) {
      await post(`query Op${i}X { stats { headlines } }`);
      await post(`query Op${i}Y { a: headline(id: "1") { id } b: headline(id: "2") { id } }`);
      await post(`query Op${i}Z { stats { headlines } headline(id: "1") { id } }`);
      await post(`query Op${i}W { nope }`);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const labels = operationLabels(metrics);
    for (const label of labels) assert.ok(fixed.has(label), `label ${label} is not a root field or other`);
    assert.deepEqual(operationLabels(before), fixed, 'every label is exported from the start');
    const count = (operation: string, outcome: string) => Number(new RegExp(`headline_search_graphql_requests_total\\{operation="${operation}",outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1]);
    assert.equal(count('stats', 'ok'), NAMES);
    assert.equal(count('headline', 'ok'), NAMES);
    assert.equal(count('other', 'ok'), NAMES, 'two different root fields: other');
    assert.equal(count('other', 'error'), NAMES, 'an unknown field: other');
  });
});
