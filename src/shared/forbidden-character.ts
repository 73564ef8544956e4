// Without the `u` flag a regex sees UTF-16 code units, so unpaired halves are visible.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The one rule for which characters a headline or a query may hold: any Unicode scalar
 * value except U+0000. PostgreSQL's text type cannot store NUL at all (in a COPY or a
 * parameter it fails the whole statement), and a lone UTF-16 surrogate is not a character:
 * a driver would silently turn it into U+FFFD, so the text stored or searched would not be
 * the text given. Both are refused rather than stripped, so nothing changes silently.
 * Ingest, the API and `headlines search`/`embed` all ask this function; search_queries
 * needs no check, as PostgreSQL refuses such text at the insert (docs/input-rules.md).
 *
 * Returns why `text` is refused (e.g. "NUL byte"), or null when it is acceptable.
 */
export function forbiddenCharacter(text: string): string | null {
  if (text.includes('\0')) return 'NUL byte';
  if (LONE_SURROGATE.test(text)) return 'lone UTF-16 surrogate (not a Unicode character)';
  return null;
}
