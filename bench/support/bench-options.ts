import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * How every bench takes its run parameters: `--name value` options (node:util parseArgs,
 * strict, so a misspelt option stops the bench instead of being ignored), and positionals
 * where a bench takes a path. Environment variables only say where this machine keeps data
 * and servers (bench/support/reference-files.ts, bench-databases.ts), and the application's
 * own settings (EMBED_MODEL, …) pass through to it.
 *
 * `replaced` names BENCH_* variables that an option replaced: one that is still set stops
 * the bench with the option to use, so an old command line does not measure something else.
 */
export function benchOptions<const T extends OptionsConfig>(options: T, replaced: Readonly<Record<string, string>> = {}) {
  for (const [variable, option] of Object.entries(replaced)) {
    if (process.env[variable] !== undefined) stop(`${variable} is no longer read; pass ${option} instead (bench/README.md)`);
  }
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    return stop((error as Error).message);
  }
}

/** An option's value as a positive number, or the bench stops naming the option. */
export function positive(value: string | undefined, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) stop(`--${option} expects a positive number, got ${value}`);
  return n;
}

/** A comma-separated option's values. */
export function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * The bench's figures as one JSON line, beside the table a person reads, for a script that
 * compares runs. Machine and load come along: the machines benches run on are shared.
 */
export function printSummary(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, date: new Date().toISOString(), cores: os.availableParallelism(), node: process.versions.node, loadAverage: os.loadavg()[0], ...figures }));
}

function stop(line: string): never {
  console.error(`bench: ${line}`);
  process.exit(2);
}
