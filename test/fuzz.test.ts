import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { DEFAULT_HNSW_PARAMS } from '../src/db/hnsw-index.ts';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { awkwardText } from './support/awkward-text.ts';
import { fuzzFile, type FuzzFile } from './support/fuzz-ingest-file.ts';
import { FIXED_SEED, fuzzRegressions, keepSeedHint, randomSeed } from './support/fuzz-seeds.ts';
import { postGraphql, useGeneratedServer } from './support/generated-server.ts';
import { tempDir } from './support/ingest-fixtures.ts';
import { runCli } from './support/run-cli.ts';
import { schemaStringArguments } from './support/schema-string-arguments.ts';
import { useSharedHashEmbedder } from './support/shared-hash-embedder.ts';
import { describeEachDatabase } from './support/test-databases.ts';

// Modest run counts: the fast tier runs this on every `npm test`, fixed seed and random seed.
const API_RUNS = 60;
const INGEST_RUNS = 6;
const EMBED_RUNS = 20;
const RANDOM_SEED = randomSeed();
const dir = tempDir('hs-fuzz-');
const sharedEmbedder = useSharedHashEmbedder();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `property` on the kept regressions' seeds, the fixed seed and this run's random seed, which it prints. */
async function checkSeeds<T>(t: TestContext, name: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  t.diagnostic(`fuzz ${name}: fixed seed ${FIXED_SEED}, random seed ${RANDOM_SEED} (replay with FUZZ_SEED=${RANDOM_SEED})`);
  const property = fc.asyncProperty(arbitrary, check);
  for (const kept of fuzzRegressions(name)) {
    if (kept.example !== undefined) await check(kept.example as T);
    else await fc.assert(property, { seed: kept.seed, path: kept.path, numRuns: 1 });
  }
  for (const seed of [FIXED_SEED, RANDOM_SEED]) {
    try {
      await fc.assert(property, { seed, numRuns });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      throw new Error(`${keepSeedHint(name, seed)}\n${(error as Error).message}${cause ? `\nCause: ${cause.message}` : ''}`);
    }
  }
}

const TYPED_ERRORS = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'NOT_FOUND']);

describeEachDatabase('fuzz: every string argument of the API', (get) => {
  const server = useGeneratedServer(get);
  const args = schemaStringArguments();

  test('the schema has string arguments to fuzz, inputs included', () => {
    const names = args.map((a) => a.name);
    for (const expected of ['search(query)', 'search(after)', 'search(filter.from)', 'timeline(query)', 'similarTimeline(id)', 'headline(id)']) assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
  });

  test('random awkward text in every string argument, every mode: data or a typed error, and the server stays ready', async (t) => {
    const { rows } = await sql<{ id: string }>`select id::text as id from headlines order by id limit 1`.execute(get().database.db);
    const valid = { query: 'drought farmers', id: rows[0]!.id };
    const check = async ([name, text, choice]: [string, string, number]) => {
      const arg = args.find((a) => a.name === name)!;
      const answer = await postGraphql(server().url, arg.operation, arg.variables(text, choice, valid));
      const where = `${arg.name} ${JSON.stringify(arg.variables(text, choice, valid)).slice(0, 200)}`;
      assert.ok(answer.status < 500, `${where}: HTTP ${answer.status}`);
      assert.ok(answer.body !== null, `${where}: the answer is JSON`);
      for (const error of answer.body.errors ?? []) assert.ok(TYPED_ERRORS.has(error.extensions?.code ?? ''), `${where}: ${error.extensions?.code} ${error.message}`);
      if (!answer.body.errors) assert.ok(answer.body.data, `${where}: data or errors`);
    };
    await checkSeeds(t, 'api', fc.tuple(fc.constantFrom(...args.map((a) => a.name)), awkwardText(), fc.nat({ max: 1000 })), check, API_RUNS);
    assert.equal((await fetch(`${server().url}/readyz`)).status, 200);
    const after = await postGraphql(server().url, `{ search(query: "drought farmers") { edges { cursor } } }`, {});
    assert.equal(after.body?.errors, undefined);
  });
});

describeEachDatabase('fuzz: CSV and TSV files of valid and broken rows', (get) => {
  const ingestFile = (file: FuzzFile, run: number) => {
    const source = path.join(dir, `fuzz-${get().mode}-${run}.${file.format}`);
    fs.writeFileSync(source, file.bytes);
    const rejectsFile = path.join(dir, `fuzz-rejects-${get().mode}-${run}.tsv`);
    return { rejectsFile, summary: ingest({ source, rejectsFile: () => rejectsFile, maxTextLength: 1000, batchSize: 16, hnsw: DEFAULT_HNSW_PARAMS, projection: 'gaussian', dimensions: 16 }, { database: get().database, modelId: HASH_MODEL_ID, createEmbedder: sharedEmbedder }) };
  };

  for (const format of ['csv', 'tsv'] as const) {
    test(`${format}: read = loaded + duplicates + rejected, every loaded row valid, every rejected row with its line and reason`, async (t) => {
      const { db } = get().database;
      let run = 0;
      const check = async (file: FuzzFile) => {
        await sql`delete from headlines`.execute(db);
        const { rejectsFile, summary: pending } = ingestFile(file, run++);
        const summary = await pending.catch((error: Error) => assert.fail(`ingest failed: ${error.message}`));
        const brokenLines = file.rows.flatMap((r, i) => (r.stored === null ? [i + 2] : []));
        const valid = file.rows.flatMap((r) => (r.stored === null ? [] : [r.stored]));
        const unique = [...new Set(valid)].sort();
        assert.equal(summary.read, file.rows.length);
        assert.equal(summary.read, summary.loaded + summary.duplicates + summary.rejected);
        assert.equal(summary.rejected, brokenLines.length);
        assert.equal(summary.loaded, unique.length);
        const { rows } = await sql<{ r: string }>`select published_on::text || '|' || text as r from headlines order by 1`.execute(db);
        assert.deepEqual(rows.map((x) => x.r).sort(), unique);
        const rejects = brokenLines.length === 0 ? [] : fs.readFileSync(rejectsFile, 'latin1').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
        assert.deepEqual(rejects.map((r) => Number(r[0])), brokenLines);
        for (const r of rejects) assert.ok((r[1] ?? '').length > 0, `line ${r[0]} has a reason`);
      };
      await checkSeeds(t, `ingest-${format}`, fuzzFile(format), check, INGEST_RUNS);
    });
  }
});

describe('fuzz: headlines embed', () => {
  const line = awkwardText(300).map((s) => s.replace(/[\r\n]/g, ' '));
  test('one vector (or null) per line, or, at the first NUL or lone surrogate, one line naming it and exit 1', async (t) => {
    const check = async (lines: string[]) => {
      const result = await runCli(['embed'], { EMBED_MODEL: 'hash', LOG_LEVEL: 'silent' }, lines.map((l) => `${l}\n`).join(''));
      // In process, stdin carries the string as it is (a pipe would bring U+FFFD for a lone surrogate).
      const arrived = lines;
      const wellFormed = (l: string) => (l as unknown as { isWellFormed(): boolean }).isWellFormed();
      const firstRefused = arrived.findIndex((l) => l.includes('\u0000') || !wellFormed(l));
      if (firstRefused >= 0) {
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.match(result.stderr, new RegExp(`line ${firstRefused + 1} holds a (NUL byte|lone UTF-16 surrogate)`));
        return;
      }
      assert.equal(result.code, 0, result.stderr);
      const out = result.stdout.split('\n').slice(0, -1);
      assert.equal(out.length, lines.length);
      for (const [i, printed] of out.entries()) {
        if (normalizeText(arrived[i]!) === '') assert.equal(printed, 'null', `line ${i + 1}`);
        else assert.equal((JSON.parse(printed) as number[]).length, 512, `line ${i + 1}`);
      }
    };
    await checkSeeds(t, 'embed', fc.array(line, { minLength: 1, maxLength: 8 }), check, EMBED_RUNS);
  });
});
