import fs from 'node:fs/promises';

export interface StsPair {
  readonly score: number;
  readonly sentence1: string;
  readonly sentence2: string;
}

/** STS Benchmark as TSV: header `score\tsentence1\tsentence2`, tab-split, no quoting. */
export async function readStsPairs(file: string): Promise<StsPair[]> {
  const lines = (await fs.readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.split('\t');
  if (!header || header[0] !== 'score' || header.length < 3) throw new Error(`${file}: expected a header "score<TAB>sentence1<TAB>sentence2"`);
  return lines.map((line, i) => {
    const [score, sentence1, sentence2] = line.split('\t');
    const value = Number(score);
    if (!Number.isFinite(value) || sentence1 === undefined || sentence2 === undefined) throw new Error(`${file}:${i + 2}: malformed row`);
    return { score: value, sentence1, sentence2 };
  });
}
