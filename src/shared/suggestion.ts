/** A completion of what has been typed: a corpus word or word pair, and how many headlines contain it. */
export interface Suggestion {
  readonly text: string;
  readonly headlines: number;
}
