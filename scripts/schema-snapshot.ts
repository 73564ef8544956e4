// Writes db/schema.sql, the schema of a freshly migrated database, and checks that
// src/db/schema.ts (the Kysely types) agrees with that database.
// `npm run schema` writes the file; `npm run schema -- --check` fails when the file is stale
// (a migration was added or changed without regenerating) or the types disagree.
// Built on embedded PGlite, in memory, so it needs no PostgreSQL server.
// Options for tests: --migrations DIR, --out FILE, --types FILE.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkKyselyTypes } from './schema/check-kysely-types.ts';
import { openMigratedPglite } from './schema/open-migrated-pglite.ts';
import { schemaFileText } from './schema/schema-file-text.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    migrations: { type: 'string', default: path.join(root, 'migrations') },
    out: { type: 'string', default: path.join(root, 'db/schema.sql') },
    types: { type: 'string', default: path.join(root, 'src/db/schema.ts') },
  },
});

const { db, files } = await openMigratedPglite(values.migrations);
try {
  const text = await schemaFileText(db, files);
  const problems = await checkKyselyTypes(db, fs.readFileSync(values.types, 'utf8'));

  const relOut = path.relative(root, values.out);
  if (values.check) {
    const current = fs.existsSync(values.out) ? fs.readFileSync(values.out, 'utf8') : '';
    if (current !== text) problems.unshift(`${relOut} is out of date with migrations/: run npm run schema`);
    if (problems.length > 0) {
      for (const p of problems) console.error(`schema: ${p}`);
      process.exitCode = 1;
    } else {
      console.log(`${relOut} and ${path.relative(root, values.types)} match the migrations`);
    }
  } else {
    fs.mkdirSync(path.dirname(values.out), { recursive: true });
    fs.writeFileSync(values.out, text);
    console.log(`wrote ${relOut}`);
    for (const p of problems) console.error(`schema: ${p}`);
    if (problems.length > 0) process.exitCode = 1;
  }
} finally {
  await db.close();
}
