import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHeadlineLoader } from '../src/db/headline-loader.ts';
import { listenChannel } from '../src/db/listen-channel.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { silentLogger } from '../src/logger.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

// Dedicated connections (LISTEN, the loader's staging session) exist only on a real server.
describe('dedicated connections go back to the pool when their setup fails [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  const checkedOut = (pool: { totalCount: number; idleCount: number }) => pool.totalCount - pool.idleCount;

  test('LISTEN that the server rejects', async () => {
    const made = await makeServerDatabase();
    const database = await openDatabase(made.config, silentLogger);
    try {
      // A NUL byte in a statement is a protocol error on the server's side.
      await assert.rejects(listenChannel(database.pool, 'search\u0000queries', () => undefined));
      assert.equal(checkedOut(database.pool), 0);
    } finally {
      await database.close();
      await made.cleanup();
    }
  });

  test('a staging table that cannot be created (unmigrated database)', async () => {
    const made = await makeServerDatabase();
    const database = await openDatabase(made.config, silentLogger);
    try {
      await assert.rejects(createHeadlineLoader(database), /halfvec/);
      assert.equal(checkedOut(database.pool), 0);
    } finally {
      await database.close();
      await made.cleanup();
    }
  });
});
