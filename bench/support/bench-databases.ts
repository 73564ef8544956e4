import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseConfig, type Config } from '../../src/config/parse-config.ts';

/** Real-server benchmarks make throwaway databases next to BENCH_DATABASE_URL's. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freshServerDatabase(label: string, adminUrl = ADMIN_URL): Promise<{ config: Config; url: string; drop: () => Promise<void> }> {
  const name = `hs_bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    config: parseConfig({ ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'warn' }),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function freshEmbeddedConfig(): { config: Config; drop: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-'));
  return {
    config: parseConfig({ ...process.env, DATABASE_URL: '', DATA_DIR: dir, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'warn' }),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
