import { AppError, ErrorCode } from '../errors/app-error.ts';

/** Rows counted so far, scaled to the whole source when its size is known. */
export function estimateTotal(rowsSoFar: number, bytesRead: number, totalBytes: number | null): number {
  if (totalBytes === null || bytesRead <= 0 || bytesRead >= totalBytes) return rowsSoFar;
  return Math.ceil((rowsSoFar * totalBytes) / bytesRead);
}

/** The embedded database's clean refusal: what the limit is, why, and where to go instead. */
export function checkEmbeddedLimit(limit: number, expectedHeadlines: number): void {
  if (expectedHeadlines <= limit) return;
  throw new AppError(
    ErrorCode.CONFIG_INVALID,
    `This ingest would leave about ${expectedHeadlines} headlines in the embedded database; it holds at most ${limit} ` +
      `(EMBEDDED_MAX_HEADLINES: past that, its index no longer fits in PGlite's memory and building it takes hours). ` +
      'The ingest stopped before embedding them (rows it loaded earlier, from a source of unknown size, stay stored). Use a PostgreSQL server with pgvector instead: set DATABASE_URL, run ' +
      '`headlines import <DATA_DIR>` to move what the embedded database already holds (no re-embedding), then ingest again.',
  );
}
