import { normalizeText } from './normalize-text.ts';
import { SentencePieceTokenizer } from './sentence-piece-tokenizer.ts';
import { loadUseVocabulary } from './use-model-files.ts';

/** USE-lite's sentencepiece tokenizer over our text normalisation, for every runtime. */
export async function loadUseTokenizer(): Promise<(text: string) => number[]> {
  const tokenizer = new SentencePieceTokenizer(await loadUseVocabulary());
  return (text) => tokenizer.encode(normalizeText(text));
}
