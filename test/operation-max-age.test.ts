import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, type OperationDefinitionNode } from 'graphql';
import { apiSchema } from '../src/graphql/api-schema.ts';
import { operationMaxAge } from '../src/graphql/operation-max-age.ts';

const ages = { search: 120, timeline: 600, suggest: 3600, headline: 86400, stats: 60 };
const ageOf = (query: string, variables?: Record<string, unknown>, operationName?: string) => {
  const document = parse(query);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const operation = operations.find((o) => o.name?.value === operationName) ?? operations[0]!;
  return operationMaxAge(apiSchema().schema, document, operation, variables, ages);
};

test('the shortest age of the root fields that will run, through fragments, aliases and the chosen operation', () => {
  assert.equal(ageOf('query($q: String!) { search(query: $q) { edges { cursor } } }', { q: 'storm' }), 120);
  assert.equal(ageOf('{ a: headline(id: "1") { id } b: node(id: "1") { id } }'), 86400);
  assert.equal(ageOf('{ search(query: "x") { edges { cursor } } stats { headlines } }'), 60);
  assert.equal(ageOf('{ ...F } fragment F on Query { timeline(query: "x") { count } ... on Query { suggest(prefix: "st") { text } } }'), 600);
  assert.equal(ageOf('query A { stats { headlines } } query B { suggest(prefix: "st") { text } }', undefined, 'B'), 3600);
  // Introspection does not count, and alone it is not cacheable.
  assert.equal(ageOf('{ __typename stats { headlines } }'), 60);
  assert.equal(ageOf('{ __typename }'), 0);
});

test('@skip and @include as execution applies them, variable defaults included; variables that do not coerce give 0', () => {
  const mixed = 'query($s: Boolean = true) { search(query: "x") { edges { cursor } } stats @skip(if: $s) { headlines } }';
  assert.equal(ageOf(mixed), 120);
  assert.equal(ageOf(mixed, { s: false }), 60);
  assert.equal(ageOf('query($i: Boolean!) { headline(id: "1") { id } stats @include(if: $i) { headlines } }', { i: true }), 60);
  assert.equal(ageOf('query($i: Boolean!) { headline(id: "1") { id } }', { i: 'yes' }), 0);
});
