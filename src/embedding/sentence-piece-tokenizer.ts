/** SentencePiece's word-boundary symbol, which USE-lite's pieces start with. */
const SEPARATOR = '\u2581';
/** The first vocabulary entries are unk and control symbols, never matched in text. */
const RESERVED_SYMBOLS = 6;

interface TrieNode {
  /** By code point. */
  readonly children: Map<number, TrieNode>;
  /** Vocabulary index of the piece ending here, or -1. */
  index: number;
  score: number;
}

const node = (): TrieNode => ({ children: new Map(), index: -1, score: 0 });

function codePoints(text: string): Int32Array {
  const out = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    out[n++] = c;
    if (c > 0xffff) i++;
  }
  return out.subarray(0, n);
}

/**
 * USE-lite's unigram SentencePiece encoder: the same ids as the Tokenizer in
 * @tensorflow-models/universal-sentence-encoder, whose Viterbi pass copies every suffix
 * of the text and allocates an object per lattice edge (several times slower). This walks
 * the trie from each position in place over code points and relaxes each edge as it is
 * found. That visits the edges into any position in increasing start order, as the
 * original does, so ties break the same way (a later edge with an equal score wins); it
 * also merges consecutive unknowns and steps back by each piece's UTF-16 length, as the
 * original does.
 */
export class SentencePieceTokenizer {
  private readonly root = node();

  constructor(private readonly vocabulary: ReadonlyArray<readonly [string, number]>) {
    for (let i = RESERVED_SYMBOLS; i < vocabulary.length; i++) {
      const [piece, score] = vocabulary[i]!;
      let at = this.root;
      for (const symbol of codePoints(piece)) {
        let next = at.children.get(symbol);
        if (!next) at.children.set(symbol, (next = node()));
        at = next;
      }
      at.index = i;
      at.score = score;
    }
  }

  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = codePoints(SEPARATOR + normalized.replaceAll(' ', SEPARATOR));
    const n = symbols.length;
    // best[i]: score of the best segmentation of the first i symbols (0: none yet, as in
    // the original); words[i]: the last piece of it.
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    const relax = (end: number, score: number, index: number) => {
      if (best[end] === 0 || score >= best[end]!) {
        best[end] = score;
        words[end] = index;
      }
    };
    for (let start = 0; start < n; start++) {
      let at = this.root.children.get(symbols[start]!);
      let matched = false;
      for (let i = start; i < n && at; i++) {
        if (at.index >= 0) {
          relax(i + 1, at.score + best[start]!, at.index);
          matched = true;
        }
        at = i + 1 < n ? at.children.get(symbols[i + 1]!) : undefined;
      }
      // An unknown symbol is a one-symbol piece with id 0 and score 0.
      if (!matched) relax(start + 1, best[start]!, 0);
    }
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.vocabulary[words[at]!]![0].length) ids.push(words[at]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of ids) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }
}
