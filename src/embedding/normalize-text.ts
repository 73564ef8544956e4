/**
 * The one text normalisation, applied identically before storing, deduplicating and
 * embedding a headline and before embedding a query. The corpus is lower-case, so
 * queries are lower-cased to land in the same region of the embedding space.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}
