import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import { SentencePieceTokenizer } from '../src/embedding/sentence-piece-tokenizer.ts';
import { loadUseVocabulary } from '../src/embedding/use-model-files.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { referenceFile, requiredPath } from './support/reference-data.ts';

const SAMPLE = referenceFile('HEADLINES_SAMPLE_CSV');

// Unknown symbols (alone, repeated, astral), NFKC folding, empty and space-only text.
const EDGE_CASES = ['', ' ', '  two  spaces ', 'emoji 😀😀 here', 'ü ñ 中文 字', '\u0000x', 'ｆｕｌｌｗｉｄｔｈ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 text', 'x²³ ﬁ ①', '...!!!???', 'a'.repeat(300)];

async function assertSameIds(texts: readonly string[]): Promise<void> {
  const vocabulary = await loadUseVocabulary();
  const reference = new Tokenizer(vocabulary);
  const ours = new SentencePieceTokenizer(vocabulary);
  for (const text of texts) assert.deepEqual(ours.encode(text), reference.encode(text), JSON.stringify(text));
}

test('the same token ids as the tfjs USE tokenizer: demo headlines and edge cases', async () => {
  const demo = await readCorpusSample('data/demo-headlines.csv', 1000);
  assert.ok(demo.length > 200);
  await assertSameIds([...EDGE_CASES, ...demo.map(normalizeText), ...demo]);
});

test('the same token ids as the tfjs USE tokenizer: the 98,908-headline sample', { skip: SAMPLE.skip }, async () => {
  const sample = await readCorpusSample(requiredPath(SAMPLE), Number.MAX_SAFE_INTEGER);
  assert.ok(sample.length > 90_000);
  await assertSameIds(sample.map(normalizeText));
});
