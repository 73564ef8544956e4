import fs from 'node:fs';
import { parse } from 'csv-parse';

/** The first `limit` headline texts of a Kaggle-format CSV (publish_date,headline_text). */
export async function readCorpusSample(file: string, limit: number): Promise<string[]> {
  const texts: string[] = [];
  const input = fs.createReadStream(file);
  const parser = input.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true, bom: true }));
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      const text = record.headline_text;
      if (text && text.trim() !== '') texts.push(text);
      if (texts.length >= limit) break;
    }
  } finally {
    input.destroy();
  }
  return texts;
}
