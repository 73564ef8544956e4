const MIN_PGVECTOR = '0.8.0';
/** The first release with every HNSW fix below; older ones still run, with a warning. */
export const RECOMMENDED_PGVECTOR = '0.8.4';
const HNSW_FIXES =
  'a buffer overflow in parallel HNSW index builds (fixed in 0.8.2), possible index corruption with HNSW vacuuming (0.8.3) ' +
  'and "hnsw graph not repaired" errors with vacuuming (0.8.4)';

export interface VectorExtensionReport {
  /** `default_version` from pg_available_extensions; null when the server has no pgvector files. */
  readonly available: string | null;
  /** `extversion` from pg_extension; null when not yet created in this database. */
  readonly installed: string | null;
}

const INSTALL_HINT =
  'Install pgvector >= 0.8.0 on the database server: the Debian/Ubuntu package postgresql-<major>-pgvector ' +
  '(from apt.postgresql.org), Homebrew `brew install pgvector`, the Docker image pgvector/pgvector:pg17, ' +
  'or build it from source (https://github.com/pgvector/pgvector#installation). ' +
  'Managed services: enable the "vector" extension at version 0.8 or later.';

/**
 * Decides from what the server itself reports whether this project can run there.
 * Returns null when fine, else a message saying exactly what to install or run.
 */
export function assessVectorExtension(report: VectorExtensionReport): string | null {
  const { available, installed } = report;
  if (installed !== null && compareVersions(installed, MIN_PGVECTOR) >= 0) return null;
  if (installed !== null) {
    if (available !== null && compareVersions(available, MIN_PGVECTOR) >= 0) {
      return `pgvector ${installed} is installed in this database but headline-search needs >= ${MIN_PGVECTOR} (halfvec and iterative index scans). The server has ${available}: run ALTER EXTENSION vector UPDATE;`;
    }
    return `pgvector ${installed} is installed but headline-search needs >= ${MIN_PGVECTOR} (halfvec and iterative index scans). ${INSTALL_HINT} Then run ALTER EXTENSION vector UPDATE;`;
  }
  if (available === null) {
    return `The PostgreSQL server has no pgvector extension ("vector" is not in pg_available_extensions). ${INSTALL_HINT}`;
  }
  if (compareVersions(available, MIN_PGVECTOR) < 0) {
    return `The PostgreSQL server offers pgvector ${available}, but headline-search needs >= ${MIN_PGVECTOR} (halfvec and iterative index scans). ${INSTALL_HINT}`;
  }
  return null;
}

/**
 * One line for a pgvector that runs this project but lacks fixes its parallel HNSW builds and
 * vacuums need; null when current. The library on disk (`available`) is what the server runs;
 * an older `installed` version in a database is mended by ALTER EXTENSION.
 */
export function vectorExtensionAdvice(report: VectorExtensionReport): string | null {
  const { available, installed } = report;
  if (available !== null && compareVersions(available, RECOMMENDED_PGVECTOR) < 0) {
    return `pgvector ${available} is older than ${RECOMMENDED_PGVECTOR}, which fixed ${HNSW_FIXES}: upgrade pgvector on the server, then run ALTER EXTENSION vector UPDATE;`;
  }
  if (installed !== null && compareVersions(installed, RECOMMENDED_PGVECTOR) < 0) {
    return `pgvector ${installed} is installed in this database, older than ${RECOMMENDED_PGVECTOR}, which fixed ${HNSW_FIXES}; the server has ${available}: run ALTER EXTENSION vector UPDATE;`;
  }
  return null;
}

/** Numeric, component-wise comparison of dotted versions ("0.10.0" > "0.8.1"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
