import { fileURLToPath } from 'node:url';
import { Migrator, type Kysely } from 'kysely';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { dropInterruptedIndexBuilds } from './drop-interrupted-index-builds.ts';
import { SqlFileMigrationProvider } from './sql-file-migration-provider.ts';

/** Same relative place from src/db (tsx) and dist/db (compiled). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface MigrationState {
  readonly name: string;
  readonly appliedAt: Date | null;
}

function createMigrator(db: Kysely<any>, folder: string): Migrator {
  return new Migrator({ db, provider: new SqlFileMigrationProvider(folder) });
}

/** Applies every pending migration (in one transaction) and returns the names applied. */
export async function migrateToLatest(db: Kysely<any>, folder: string = MIGRATIONS_DIR): Promise<string[]> {
  const { error, results } = await createMigrator(db, folder).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(ErrorCode.MIGRATION_FAILED, `Migration ${failed ?? '(setup)'} failed: ${reason}`, { cause: error });
  }
  // Not a migration: an interrupted reindex can leave its copy behind at any time after them.
  await dropInterruptedIndexBuilds(db);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrationStatus(db: Kysely<any>, folder: string = MIGRATIONS_DIR): Promise<MigrationState[]> {
  const migrations = await createMigrator(db, folder).getMigrations();
  return migrations.map((m) => ({ name: m.name, appliedAt: m.executedAt ?? null }));
}

/** Names of the migrations not yet applied, oldest first. */
export async function pendingMigrations(db: Kysely<any>, folder: string = MIGRATIONS_DIR): Promise<string[]> {
  return (await migrationStatus(db, folder)).filter((m) => !m.appliedAt).map((m) => m.name);
}
