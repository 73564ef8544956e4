import fc from 'fast-check';

/** Pieces users and attackers actually send, each a known way to break a text path. */
export const AWKWARD_PIECES = [
  '\u0000', // NUL: PostgreSQL text cannot hold it
  '\uD83D', '\uDE00', '\uDFFF', // lone surrogates
  '\u202E', '\u2066', '\u2069', '\u200F', // bidi controls
  'e\u0301', '\u0338', 'a\u0300\u0301\u0302', // combining marks
  '👩‍🌾', '🇦🇺', '🌏', '\uFE0F', // emoji, ZWJ sequence, flag, variation selector
  ':*', '<->', '<2>', '!', '|', '&', '(', ')', ' or ', ' -', '-', // tsquery and web-search syntax
  '"', "'", '\\', '\\\\', '`', '%', '_', ';', '--', '/*', // quoting, escapes, LIKE, SQL
  '\t', '\n', '\r', ' ', '\u00A0', '\u3000', '\uFEFF', '\u0001', '\u007F', // whitespace and controls
  'drought', 'farmers', 'DROUGHT', 'flood', 'ü', 'ß', 'İ', '中文', 'العربية',
];

/** Strings built from awkward pieces and random code points, from empty to `maxLength` (by default past every length limit). */
export function awkwardText(maxLength = 1200): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...AWKWARD_PIECES), fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }));
  const mixed = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));
  // A piece repeated to around the limits (a cut may leave half a surrogate pair: intended).
  const long = fc.tuple(fc.constantFrom(...AWKWARD_PIECES), fc.integer({ min: Math.floor(maxLength * 0.75), max: maxLength })).map(([p, n]) => p.repeat(Math.ceil(n / p.length)).slice(0, n));
  return fc.oneof({ arbitrary: mixed, weight: 5 }, { arbitrary: long, weight: 1 });
}
