import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Migration, type MigrationProvider } from 'kysely';

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

/**
 * Migrations are plain, numbered SQL files, readable by DBAs and analysts without
 * TypeScript. Names must be strictly numbered so an out-of-order or duplicate number
 * is a loud error rather than a silently skipped migration.
 */
export class SqlFileMigrationProvider implements MigrationProvider {
  private readonly folder: string;

  constructor(folder: string) {
    this.folder = folder;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const entries = (await fs.readdir(this.folder)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    const seen = new Map<string, string>();
    for (const file of entries) {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`Migration file name ${file} does not match NNNN_snake_case.sql`);
      const previous = seen.get(match[1]!);
      if (previous) throw new Error(`Migrations ${previous} and ${file} share the number ${match[1]}`);
      seen.set(match[1]!, file);
      const text = await fs.readFile(path.join(this.folder, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        // No parameters: pg sends it with the simple protocol, so one file may hold many statements.
        up: async (db) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}
