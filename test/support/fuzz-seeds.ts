import fs from 'node:fs';

/** The seed every run replays, so a change that breaks a known case fails every time. */
export const FIXED_SEED = 20261203;

export interface FuzzRegression {
  /** Which property: `api`, `ingest-csv`, `ingest-tsv`, `embed`. */
  readonly property: string;
  /** A seed (and path, as fast-check prints them) that once failed. */
  readonly seed?: number;
  readonly path?: string;
  /** Or the failing input itself, in the property's own shape. */
  readonly example?: unknown;
  readonly note: string;
}

const REGRESSIONS_FILE = new URL('./fuzz-regressions.json', import.meta.url);

/** Failing cases kept from earlier runs (test/support/fuzz-regressions.json), for one property. */
export function fuzzRegressions(property: string): FuzzRegression[] {
  const all = JSON.parse(fs.readFileSync(REGRESSIONS_FILE, 'utf8')) as FuzzRegression[];
  return all.filter((r) => r.property === property);
}

/** This run's random seed: FUZZ_SEED to replay one, otherwise new each run. */
export function randomSeed(): number {
  const given = process.env.FUZZ_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 0x7fffffff);
}

/** What to do with a failure, said in the failure itself. */
export function keepSeedHint(property: string, seed: number): string {
  return `fuzz property "${property}" failed with seed ${seed}: replay with FUZZ_SEED=${seed}, and keep the case in test/support/fuzz-regressions.json (fast-check's "seed" and "path", or the counterexample as "example").`;
}
