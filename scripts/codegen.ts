// Generates TypeScript types for the resolvers from schema.graphql (schema-first).
// `npm run codegen` writes the file; `npm run codegen -- --check` fails if it is stale.
import fs from 'node:fs';
import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptResolvers from '@graphql-codegen/typescript-resolvers';
import { buildSchema, parse, printSchema } from 'graphql';

const SCHEMA = new URL('../schema.graphql', import.meta.url);
const OUT = new URL('../src/graphql/generated/schema-types.ts', import.meta.url);

const schema = buildSchema(fs.readFileSync(SCHEMA, 'utf8'));
const output = await codegen({
  filename: 'schema-types.ts',
  schema: parse(printSchema(schema)),
  documents: [],
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { Date: 'string', ID: 'string' },
    // Resolvers receive service results, not GraphQL objects.
    mappers: { Headline: '../../shared/search-types.ts#HeadlineRow' },
    contextType: '../graphql-context.ts#GraphqlContext',
  },
  plugins: [{ typescript: {} }, { typescriptResolvers: {} }],
  pluginMap: { typescript, typescriptResolvers },
});
const text = `// Generated from schema.graphql by scripts/codegen.ts: do not edit.\n/* eslint-disable */\n${output}`;

if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    console.error('src/graphql/generated/schema-types.ts is out of date with schema.graphql: run npm run codegen');
    process.exit(1);
  }
  console.log('generated GraphQL types are up to date');
} else {
  fs.mkdirSync(new URL('.', OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname}`);
}
