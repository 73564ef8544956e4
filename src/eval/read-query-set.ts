import fs from 'node:fs/promises';
import path from 'node:path';

export interface LabelledQuery {
  /** `dev` queries may be looked at while tuning; `test` queries are the held-out ones. */
  readonly split: 'dev' | 'test';
  readonly query: string;
  /** A result is on topic when its text matches. */
  readonly onTopic: RegExp;
}

export interface QuerySet {
  readonly name: string;
  readonly queries: readonly LabelledQuery[];
}

/** TSV with a header `split<TAB>query<TAB>on_topic`; the set is named after the file. */
export async function readQuerySet(file: string): Promise<QuerySet> {
  const lines = (await fs.readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.split('\t');
  if (header?.join('\t') !== 'split\tquery\ton_topic') throw new Error(`${file}: expected a header "split<TAB>query<TAB>on_topic"`);
  const queries = lines.map((line, i) => {
    const [split, query, pattern, extra] = line.split('\t');
    if ((split !== 'dev' && split !== 'test') || !query || !pattern || extra !== undefined) throw new Error(`${file}:${i + 2}: expected dev|test, a query and a regular expression`);
    return { split, query, onTopic: new RegExp(pattern) } as const;
  });
  return { name: path.basename(file).replace(/\.[^.]*$/, ''), queries };
}
