import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { runCli } from '../support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from '../support/test-databases.ts';

// The model named: unset, `embed` would open the database to take its model.
const env = { EMBED_BACKEND: 'wasm', EMBED_MODEL: 'use-lite' };

test('headlines embed prints one 512-number JSON array per input line, in order', async () => {
  const { code, stdout, stderr } = await runCli(['embed'], env, 'a\nb\n');
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  const [a, b] = lines.map((l) => JSON.parse(l) as number[]);
  assert.equal(a!.length, 512);
  assert.equal(b!.length, 512);
  assert.ok(a!.every((x) => typeof x === 'number' && Number.isFinite(x)));
  assert.notDeepEqual(a, b);
});

test('empty lines keep their place as null', async () => {
  const { stdout } = await runCli(['embed'], env, 'floods\n\nfire\n');
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[1], 'null');
});

test('--format sql prints pgvector literals that PostgreSQL accepts', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, async () => {
  const { stdout } = await runCli(['embed', '--format', 'sql'], env, 'storm hits coast\npolice probe crash\n');
  const literals = stdout.trim().split('\n');
  assert.equal(literals.length, 2);
  const made = await makeServerDatabase();
  const client = new pg.Client({ connectionString: made.url });
  await client.connect();
  try {
    await client.query('create extension vector');
    const { rows } = await client.query(`select vector_dims(${literals[0]}::halfvec(512)) as d, round((${literals[0]}::vector <=> ${literals[1]}::vector)::numeric, 3) > 0 as differ`);
    assert.deepEqual(rows[0], { d: 512, differ: true });
  } finally {
    await client.end();
    await made.cleanup();
  }
});
