import type { IngestSummary } from './ingest.ts';

/** The end-of-ingest report: the reconciliation first, then where the time went. */
export function formatSummary(s: IngestSummary): string[] {
  const t = s.seconds;
  return [
    `ingest summary: read ${s.read} = loaded ${s.loaded} + duplicates ${s.duplicates} + rejected ${s.rejected}`,
    `  time: total ${t.total.toFixed(1)} s; busy per stage (they overlap): read ${t.read.toFixed(1)} s, dedup ${t.dedup.toFixed(1)} s, embed ${t.embed.toFixed(1)} s, load ${t.load.toFixed(1)} s, index ${t.index.toFixed(1)} s`,
    `  rate: ${(s.read / Math.max(t.total, 1e-3)).toFixed(0)} rows/s read, ${(s.loaded / Math.max(t.total, 1e-3)).toFixed(0)} rows/s loaded`,
    `  projection: ${s.projection ?? 'none stored yet'}; HNSW index ${s.indexBuilt ? 'built' : 'unchanged'}`,
    ...(s.rejectsFile ? [`  rejects: ${s.rejectsFile}`] : []),
  ];
}
