import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { normalizeText } from './normalize-text.ts';
import { loadUseVocabulary } from './use-model-files.ts';

/** USE-lite's own sentencepiece tokenizer over our text normalisation, for every runtime. */
export async function loadUseTokenizer(): Promise<(text: string) => number[]> {
  const tokenizer = new Tokenizer(await loadUseVocabulary());
  return (text) => tokenizer.encode(normalizeText(text));
}
