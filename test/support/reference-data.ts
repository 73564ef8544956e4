import fs from 'node:fs';

// Files a user of the repository does not have: the real headline sample and the STS
// Benchmark. Suites that need them take their paths from these variables and skip, with
// a reason that says how to enable them, when a variable is unset.
const FILES = {
  HEADLINES_SAMPLE_CSV: 'the real headline sample (a Kaggle-format CSV of "A Million News Headlines" rows)',
  STS_TSV: 'the STS Benchmark test split (TSV)',
} as const;

export type ReferenceVariable = keyof typeof FILES;

export interface ReferenceFile {
  /** The file's path, when the variable is set. */
  readonly path: string | undefined;
  /** `false` when the file is there; otherwise the one-line reason to give `test(…, { skip })`. */
  readonly skip: string | false;
}

export function referenceFile(variable: ReferenceVariable): ReferenceFile {
  const path = process.env[variable];
  if (!path) return { path: undefined, skip: `needs ${FILES[variable]}: set ${variable}=<path> to run it` };
  // A variable that names a missing file is a broken setup, not a reason to skip quietly.
  if (!fs.existsSync(path)) throw new Error(`${variable}=${path}: no such file`);
  return { path, skip: false };
}

/** The path of a file whose suite was not skipped (see `referenceFile`). */
export function requiredPath(file: ReferenceFile): string {
  if (!file.path) throw new Error('reference file used by a suite that should have been skipped');
  return file.path;
}
