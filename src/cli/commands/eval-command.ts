import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { PCA_SAMPLE_SIZE } from '../../app/command-defaults.ts';
import { evaluateStsRuntimes } from '../../app/evaluate-sts-runtimes.ts';
import { BACKENDS, type BackendName } from '../../config/embed-backends.ts';
import type { RunCommandBody } from '../run-command.ts';
import { positiveInt } from './option-parsers.ts';

function backendList(raw: string): BackendName[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => !(BACKENDS as readonly string[]).includes(n));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown backend ${bad.join(', ')}; expected some of ${BACKENDS.join(', ')}`);
  return names as BackendName[];
}

/** `eval` and its `sts` subcommand; returns `eval` for the other subcommands to join. */
export function registerEvalCommand(program: Command, runBody: RunCommandBody): Command {
  const evalCommand = program.command('eval').description('measure embedding and search quality');
  evalCommand
    .command('sts <file>')
    .description('Spearman/Pearson of cosine similarity vs. human scores on the STS Benchmark (TSV: score, sentence1, sentence2), per embedding runtime (and the int8 model with onnx)')
    .option('--corpus <csv>', 'headlines CSV to fit PCA on (default: the STS sentences)')
    .option('--sample <n>', 'corpus rows to fit PCA on', positiveInt, PCA_SAMPLE_SIZE)
    .option('--dims <k>', 'reduced dimensions', positiveInt, 64)
    .option('--seed <n>', 'gaussian projection seed', positiveInt, 42)
    .option('--backends <list>', 'comma-separated runtimes to evaluate (default: every one available: onnx, native tfjs if installed, wasm)', backendList)
    .option('--json', 'print JSON instead of a table')
    .action((file: string, options: { corpus?: string; sample: number; dims: number; seed: number; backends?: BackendName[]; json?: boolean }) =>
      runBody(async (ctx) => {
        const { pairs: pairCount, corpusRows, results, agreements } = await evaluateStsRuntimes(ctx.config, ctx.logger, {
          file,
          corpus: options.corpus,
          sample: options.sample,
          dimensions: options.dims,
          seed: options.seed,
          backends: options.backends,
        });
        if (options.json) {
          const byBackend = [...results].map(([backend, r]) => ({ backend, model: r.model, seconds: r.seconds, rows: r.rows }));
          ctx.out(JSON.stringify({ pairs: pairCount, results: byBackend, agreements }, null, 2));
          return;
        }
        ctx.out(`STS Benchmark: ${pairCount} pairs; model ${[...results.values()][0]?.model ?? '?'}`);
        ctx.out(`PCA fitted on ${options.corpus ? `${corpusRows} headlines from ${path.basename(options.corpus)}` : 'the STS sentences'}`);
        ctx.out('');
        ctx.out('backend         space         dims  spearman  pearson');
        for (const [backend, r] of results) {
          for (const row of r.rows) {
            ctx.out(`${backend.padEnd(15)} ${row.space.padEnd(12)} ${String(row.dimensions).padStart(5)}  ${row.spearman.toFixed(4).padStart(8)}  ${row.pearson.toFixed(4).padStart(7)}`);
          }
        }
        ctx.out('');
        for (const a of agreements) {
          ctx.out(
            `${a.backend} vs ${a.against}: cosine over all ${pairCount * 2} sentences (${a.sentences} distinct): ` +
              `min ${a.minimum.toFixed(10)} (1 − ${(1 - a.minimum).toExponential(1)}), mean ${a.mean.toFixed(10)}`,
          );
        }
        ctx.out(`(${[...results].map(([b, r]) => `${b} ${r.seconds.toFixed(1)} s`).join(', ')})`);
      }),
    );
  return evalCommand;
}
