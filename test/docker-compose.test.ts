import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { compareVersions, RECOMMENDED_PGVECTOR } from '../src/db/assess-vector-extension.ts';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string> | string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: unknown };
  volumes?: string[];
}

const compose = parse(fs.readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};

function env(service: Service): Record<string, string> {
  const e = service.environment ?? {};
  return Array.isArray(e) ? Object.fromEntries(e.map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string])) : e;
}

test('docker-compose has exactly db and api', () => {
  assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'db']);
});

test('db runs the official pgvector image with a volume and a healthcheck', () => {
  const db = compose.services.db!;
  const pinned = /^pgvector\/pgvector:(\d+\.\d+\.\d+)-pg(\d+)$/.exec(db.image ?? '');
  assert.ok(pinned, `${db.image}: pin a pgvector version and a PostgreSQL major`);
  assert.ok(compareVersions(pinned[1]!, RECOMMENDED_PGVECTOR) >= 0, `${db.image}: pgvector ${pinned[1]} lacks the HNSW fixes of ${RECOMMENDED_PGVECTOR}`);
  assert.ok(db.healthcheck?.test, 'healthcheck');
  const volume = db.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
  assert.ok(volume, 'data volume');
  assert.ok(compose.volumes && volume.split(':')[0]! in compose.volumes, 'named volume declared');
});

test('api points DATABASE_URL at db, waits for it to be healthy, and publishes the GraphQL port', () => {
  const api = compose.services.api!;
  assert.ok(api.build || api.image);
  const url = new URL(env(api).DATABASE_URL!);
  assert.equal(url.hostname, 'db');
  const dbEnv = env(compose.services.db!);
  assert.equal(url.pathname, `/${dbEnv.POSTGRES_DB}`);
  assert.equal(decodeURIComponent(url.username), dbEnv.POSTGRES_USER);
  assert.equal(decodeURIComponent(url.password), dbEnv.POSTGRES_PASSWORD);
  const port = env(api).PORT ?? '4000';
  assert.ok(api.ports?.some((p) => p.endsWith(`:${port}`)), 'GraphQL port published');
  const dependsOn = api.depends_on as Record<string, { condition?: string }>;
  assert.equal(dependsOn.db?.condition, 'service_healthy');
});
