import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_HNSW_PARAMS } from '../../src/db/hnsw-index.ts';
import { normalizeText } from '../../src/embedding/normalize-text.ts';
import type { IngestOptions } from '../../src/ingest/ingest.ts';
import { generatedCsv, range } from './generated-headlines.ts';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `n` date-ordered rows of the generated corpus from row `offset`, as a Kaggle CSV (header included). */
export function sampleCsv(n: number, offset = 0): string {
  return generatedCsv(range(offset, n));
}

/** (YYYY-MM-DD, normalised text) pairs a CSV should load, computed independently of the ingest code. */
export function expectedRows(csv: string): string[] {
  const rows = new Set<string>();
  for (const line of csv.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const comma = line.indexOf(',');
    const d = line.slice(0, comma);
    rows.add(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}|${normalizeText(line.slice(comma + 1))}`);
  }
  return [...rows].sort();
}

/** Ingest options for a suite's small files: rejects in `dir`, small batches, the default index. */
export function ingestOptions(dir: string, source: string, overrides: Partial<IngestOptions> = {}): IngestOptions {
  return {
    source,
    rejectsFile: (name) => path.join(dir, `rejects-${name}-${Math.random().toString(36).slice(2)}.tsv`),
    maxTextLength: 1000,
    batchSize: 50,
    hnsw: DEFAULT_HNSW_PARAMS,
    ...overrides,
  };
}
