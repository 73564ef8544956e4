import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { PRECISION_AT, type PrecisionRow } from '../../eval/evaluate-search.ts';
import { SEARCH_MODES, type SearchMode } from '../../shared/search-mode.ts';
import type { RunCommandBody } from '../run-command.ts';

/** The project's own labelled sets; the same relative place from src/ (tsx) and dist/. */
const EVAL_DIR = fileURLToPath(new URL('../../../eval/', import.meta.url));
const DEFAULT_SETS = ['names.tsv', 'topical.tsv', 'misspellings.tsv'].map((f) => path.join(EVAL_DIR, f));
/** The fusion's tunables (migration 0006) that --depth, --rrf-k and --keyword-weight vary. */
const TUNABLES = { depth: 'headline_search.fusion_depth', rrfK: 'headline_search.rrf_k', keywordWeight: 'headline_search.keyword_weight' } as const;

interface EvalSearchFlags {
  split: PrecisionRow['split'];
  modes: SearchMode[];
  depth?: string[];
  rrfK?: string[];
  keywordWeight?: string[];
  json?: boolean;
}

function modeList(raw: string): SearchMode[] {
  const modes = raw.split(',').map((s) => s.trim().toUpperCase());
  const bad = modes.filter((m) => !(SEARCH_MODES as readonly string[]).includes(m));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown mode ${bad.join(', ')}; expected some of ${SEARCH_MODES.join(', ').toLowerCase()}`);
  return modes as SearchMode[];
}

function numberList(raw: string): string[] {
  const values = raw.split(',').map((s) => s.trim());
  if (values.some((v) => !/^\d+(\.\d+)?$/.test(v))) throw new InvalidArgumentError('expected comma-separated non-negative numbers');
  return values;
}

function split(raw: string): PrecisionRow['split'] {
  if (raw !== 'dev' && raw !== 'test' && raw !== 'all') throw new InvalidArgumentError('expected dev, test or all');
  return raw;
}

/** Every combination of the values given for each tunable; [{}] when none is given. */
function grid(flags: EvalSearchFlags): Array<Record<string, string>> {
  let combos: Array<Record<string, string>> = [{}];
  for (const [flag, setting] of Object.entries(TUNABLES) as Array<[keyof typeof TUNABLES, string]>) {
    const values = flags[flag];
    if (values) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [setting]: v })));
  }
  return combos;
}

export function registerEvalSearchCommand(evalCommand: Command, runBody: RunCommandBody): void {
  evalCommand
    .command('search [sets...]')
    .description(`precision@${PRECISION_AT} of each search mode on labelled query sets (TSV: split, query, on_topic regex; default eval/names.tsv eval/topical.tsv eval/misspellings.tsv)`)
    .option('--split <split>', 'which queries: test (held out, default), dev (for tuning) or all', split, 'test')
    .option('--modes <list>', 'comma-separated modes (default all: hybrid,semantic,keyword)', modeList, [...SEARCH_MODES])
    .option('--depth <list>', `hybrid: rows per side to fuse (${TUNABLES.depth}), comma-separated values to compare`, numberList)
    .option('--rrf-k <list>', `hybrid: the RRF constant k (${TUNABLES.rrfK}), comma-separated values to compare`, numberList)
    .option('--keyword-weight <list>', `hybrid: weight of the keyword side (${TUNABLES.keywordWeight}), comma-separated values to compare`, numberList)
    .option('--json', 'print JSON (with per-query precision) instead of tables')
    .action((files: string[], flags: EvalSearchFlags) =>
      runBody(async ({ config, logger, out }) => {
        const combos = grid(flags);
        const { evaluateSearchQuality } = await import('../../app/evaluate-search-quality.ts');
        const result = await evaluateSearchQuality(config, logger, { files: files.length > 0 ? files : DEFAULT_SETS, modes: flags.modes, split: flags.split, hybridSettings: combos });
        const { sets, fixed, hybrid } = result;
        const fixedModes = flags.modes.filter((m) => m !== 'HYBRID');
        if (flags.json) {
          out(JSON.stringify({ headlines: result.headlines, split: flags.split, results: fixed, hybrid }, null, 2));
          return;
        }
        out(`precision@${PRECISION_AT} on ${result.headlines} headlines (${result.databaseMode} database), ${flags.split} queries; ${new Date().toISOString().slice(0, 10)}, ${os.availableParallelism()} cores, Node ${process.versions.node}`);
        out('');
        const table = (header: string[], lines: string[][]) => {
          const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
          for (const line of [header, ...lines]) out(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
        };
        const precisionOf = (rows: PrecisionRow[], set: string) => rows.find((r) => r.set === set)!.precision.toFixed(3);
        if (combos.length === 1) {
          const columns = [...fixedModes.map((m) => m.toLowerCase()), ...(hybrid.length > 0 ? ['hybrid'] : [])];
          const lines = sets.map((set) => [set.name, String(set.queries.filter((q) => flags.split === 'all' || q.split === flags.split).length), ...fixedModes.map((m) => precisionOf(fixed.filter((r) => r.mode === m), set.name)), ...hybrid.map((h) => precisionOf(h.rows, set.name))]);
          table(['set', 'queries', ...columns], lines);
        } else {
          table(['mode', ...sets.map((s) => s.name)], fixedModes.map((m) => [m.toLowerCase(), ...sets.map((set) => precisionOf(fixed.filter((r) => r.mode === m), set.name))]));
          out('');
          const tunables = Object.values(TUNABLES).filter((t) => combos.some((c) => t in c));
          table(
            ['hybrid: ' + tunables.map((t) => t.replace('headline_search.', '')).join(' '), ...sets.map((s) => s.name)],
            hybrid.map((h) => [tunables.map((t) => h.settings[t]).join(' '), ...sets.map((set) => precisionOf(h.rows, set.name))]),
          );
        }
      }),
    );
}
