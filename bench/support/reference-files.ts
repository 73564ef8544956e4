import fs from 'node:fs';

// Benchmarks read data the repository does not ship (the real headline sample, the STS
// Benchmark, the scale-corpus generator) from paths given by variables. A missing one stops
// the bench with one line that says what to set.
const FILES = {
  HEADLINES_SAMPLE_CSV: 'a Kaggle-format CSV of headlines (publish_date,headline_text)',
  STS_TSV: 'the STS Benchmark test split (TSV)',
  SCALE_CORPUS_TOOL: 'a command that prints a Kaggle-format CSV of --rows N rows (--seed S)',
} as const;

export type BenchFileVariable = keyof typeof FILES;

/** The path in `variable` (or `given`, from the command line), or the process stops with one line. */
export function benchFile(variable: BenchFileVariable, given?: string): string {
  const path = given ?? process.env[variable];
  if (!path) stop(`needs ${FILES[variable]}: set ${variable}=<path>`);
  if (!fs.existsSync(path)) stop(`${given ? 'argument' : variable}=${path}: no such file`);
  return path;
}

/** Like `benchFile`, but `undefined` when the variable is unset (for optional parts of a bench). */
export function optionalBenchFile(variable: BenchFileVariable): string | undefined {
  return process.env[variable] ? benchFile(variable) : undefined;
}

function stop(line: string): never {
  console.error(`bench: ${line}`);
  process.exit(2);
}
