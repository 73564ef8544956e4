/** SentencePiece's word-boundary symbol, which USE-lite's pieces start with. */
const SEPARATOR = '\u2581';
/** The first vocabulary entries are unk and control symbols, never matched in text. */
const RESERVED_SYMBOLS = 6;

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

/** Code points below this are looked up at the root in a direct table (the Basic Multilingual Plane). */
const DIRECT = 0x10000;

/**
 * USE-lite's unigram SentencePiece encoder: the same ids as the Tokenizer in
 * @tensorflow-models/universal-sentence-encoder, whose Viterbi pass copies every suffix
 * of the text and allocates an object per lattice edge (several times slower). This walks
 * the trie from each position in place over code points and relaxes each edge as it is
 * found. That visits the edges into any position in increasing start order, as the
 * original does, so ties break the same way (a later edge with an equal score wins); it
 * also merges consecutive unknowns and steps back by each piece's UTF-16 length, as the
 * original does.
 *
 * The trie is flat typed arrays (each node's children contiguous and sorted by code point,
 * the root's in a direct table), not a Map per node: a single query is tokenised right after
 * a model call has evicted it from the caches, and a walk then costs a cache miss or two per
 * step instead of several.
 */
export class SentencePieceTokenizer {
  /** Root child by code point (below DIRECT), or -1. */
  private readonly rootChild: Int32Array;
  /** Per node: first slot of its children in childSymbol/childNode, and how many. */
  private readonly childStart: Int32Array;
  private readonly childCount: Int32Array;
  private readonly childSymbol: Int32Array;
  private readonly childNode: Int32Array;
  /** Per node: vocabulary index of the piece ending there (or -1), and its score. */
  private readonly pieceIndex: Int32Array;
  private readonly pieceScore: Float64Array;
  /** Per vocabulary index: the piece's UTF-16 length (the step back when reading the best path). */
  private readonly pieceLength: Int32Array;

  constructor(vocabulary: ReadonlyArray<readonly [string, number]>) {
    // Built with Maps, then laid out flat.
    const children: Array<Map<number, number>> = [new Map()];
    const index: number[] = [-1];
    const score: number[] = [0];
    for (let i = RESERVED_SYMBOLS; i < vocabulary.length; i++) {
      const [piece, pieceScore] = vocabulary[i]!;
      let at = 0;
      for (const symbol of codePoints(piece)) {
        let next = children[at]!.get(symbol);
        if (next === undefined) {
          next = children.length;
          children[at]!.set(symbol, next);
          children.push(new Map());
          index.push(-1);
          score.push(0);
        }
        at = next;
      }
      index[at] = i;
      score[at] = pieceScore;
    }
    const nodes = children.length;
    this.childStart = new Int32Array(nodes);
    this.childCount = new Int32Array(nodes);
    const edges = nodes - 1;
    this.childSymbol = new Int32Array(edges);
    this.childNode = new Int32Array(edges);
    let slot = 0;
    for (let node = 0; node < nodes; node++) {
      const map = children[node]!;
      this.childStart[node] = slot;
      this.childCount[node] = map.size;
      if (map.size === 0) continue;
      const symbols = Int32Array.from(map.keys()).sort();
      for (const symbol of symbols) {
        this.childSymbol[slot] = symbol;
        this.childNode[slot++] = map.get(symbol)!;
      }
    }
    this.rootChild = new Int32Array(DIRECT).fill(-1);
    for (const [symbol, child] of children[0]!) if (symbol < DIRECT) this.rootChild[symbol] = child;
    this.pieceIndex = Int32Array.from(index);
    this.pieceScore = Float64Array.from(score);
    this.pieceLength = Int32Array.from(vocabulary, ([piece]) => piece.length);
  }

  /** The child of `node` by `symbol`, or -1. */
  private child(node: number, symbol: number): number {
    if (node === 0 && symbol < DIRECT) return this.rootChild[symbol]!;
    let low = this.childStart[node]!;
    let high = low + this.childCount[node]! - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.childSymbol[middle]!;
      if (at === symbol) return this.childNode[middle]!;
      if (at < symbol) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
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
      let at = this.child(0, symbols[start]!);
      let matched = false;
      for (let i = start; i < n && at >= 0; i++) {
        const index = this.pieceIndex[at]!;
        if (index >= 0) {
          relax(i + 1, this.pieceScore[at]! + best[start]!, index);
          matched = true;
        }
        at = i + 1 < n ? this.child(at, symbols[i + 1]!) : -1;
      }
      // An unknown symbol is a one-symbol piece with id 0 and score 0.
      if (!matched) relax(start + 1, best[start]!, 0);
    }
    const ids: number[] = [];
    for (let at = n; at > 0; at -= this.pieceLength[words[at]!]!) ids.push(words[at]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of ids) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }
}
