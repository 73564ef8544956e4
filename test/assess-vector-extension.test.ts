import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessVectorExtension, compareVersions } from '../src/db/assess-vector-extension.ts';

test('missing extension: names pgvector, the minimum version and how to install it', () => {
  const message = assessVectorExtension({ available: null, installed: null });
  assert.ok(message);
  assert.match(message, /no pgvector extension/);
  assert.match(message, />= 0\.8\.0/);
  assert.match(message, /postgresql-<major>-pgvector/);
  assert.match(message, /pgvector\/pgvector:pg17/);
});

test('too old on the server (0.5.1): says which version is there and what is needed', () => {
  const message = assessVectorExtension({ available: '0.5.1', installed: null });
  assert.ok(message);
  assert.match(message, /offers pgvector 0\.5\.1/);
  assert.match(message, /needs >= 0\.8\.0/);
});

test('old version created in the database while the server has a new one: ALTER EXTENSION', () => {
  const message = assessVectorExtension({ available: '0.8.0', installed: '0.5.1' });
  assert.ok(message);
  assert.match(message, /ALTER EXTENSION vector UPDATE/);
});

test('old version installed and nothing newer available: install and update', () => {
  const message = assessVectorExtension({ available: '0.7.4', installed: '0.7.4' });
  assert.ok(message);
  assert.match(message, /Install pgvector/);
});

test('fine: available or installed at 0.8 or later', () => {
  assert.equal(assessVectorExtension({ available: '0.8.0', installed: null }), null);
  assert.equal(assessVectorExtension({ available: '0.8.1', installed: '0.8.1' }), null);
  assert.equal(assessVectorExtension({ available: '0.10.0', installed: null }), null);
});

test('versions compare numerically, not as strings', () => {
  assert.equal(compareVersions('0.10.0', '0.8.0'), 1);
  assert.equal(compareVersions('0.8', '0.8.0'), 0);
  assert.equal(compareVersions('0.7.4', '0.8.0'), -1);
});
