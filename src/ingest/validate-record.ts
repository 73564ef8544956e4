import { normalizeText } from '../embedding/normalize-text.ts';
import { parseCompactDate } from '../shared/calendar-date.ts';
import { forbiddenCharacter } from '../shared/forbidden-character.ts';

export interface ValidHeadline {
  readonly publishedOn: string; // YYYY-MM-DD
  readonly text: string; // normalised
}

export type Validation = { readonly ok: true; readonly row: ValidHeadline } | { readonly ok: false; readonly reason: string };

export const DEFAULT_MAX_TEXT_LENGTH = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks one parsed record. Fields arrive as raw bytes (latin1-decoded strings map 1:1 to
 * bytes) so invalid UTF-8 is detected rather than silently replaced.
 */
export function validateRecord(fields: readonly string[], maxTextLength: number = DEFAULT_MAX_TEXT_LENGTH): Validation {
  if (fields.length !== 2) return { ok: false, reason: `wrong number of fields: ${fields.length}, expected 2` };
  const [rawDate, rawText] = fields as [string, string];
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(rawText, 'latin1'));
  } catch {
    return { ok: false, reason: 'invalid UTF-8 in headline_text' };
  }
  const forbidden = forbiddenCharacter(decoded);
  if (forbidden !== null) return { ok: false, reason: `${forbidden} in headline_text` };
  const publishedOn = parseCompactDate(rawDate.trim());
  if (publishedOn === null) return { ok: false, reason: `invalid date ${JSON.stringify(rawDate.slice(0, 20))}: expected a real calendar date YYYYMMDD` };
  const text = normalizeText(decoded);
  if (text === '') return { ok: false, reason: 'empty headline_text' };
  const length = [...text].length;
  if (length > maxTextLength) return { ok: false, reason: `headline_text too long: ${length} characters, limit ${maxTextLength}` };
  return { ok: true, row: { publishedOn, text } };
}
