import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { availableBackends } from '../../embedding/activate-backend.ts';
import { BACKENDS, type BackendName, type ModelName } from '../../config/embed-backends.ts';
import { createEmbedder } from '../../embedding/create-embedder.ts';
import { PCA_SAMPLE_SIZE } from '../../projection/create-projection.ts';
import { agreement, evaluateSts, type StsResult } from '../../eval/evaluate-sts.ts';
import { readCorpusSample } from '../../eval/read-corpus-sample.ts';
import { readStsPairs } from '../../eval/read-sts-pairs.ts';
import type { Act } from '../run-command.ts';
import { positiveInt } from './option-parsers.ts';

/** The reference every other runtime is compared with: the tfjs graph as published. */
const REFERENCE = 'wasm';

/** One evaluated embedder: a runtime with the float model, or ONNX Runtime with int8. */
interface StsRun {
  readonly label: string;
  readonly backend: BackendName;
  readonly model: ModelName;
}

/** The float model on each runtime, and the int8 variant wherever ONNX Runtime is evaluated. */
function stsRuns(backends: readonly BackendName[]): StsRun[] {
  const runs: StsRun[] = backends.map((backend) => ({ label: backend, backend, model: 'use-lite' }));
  if (backends.includes('onnx')) runs.splice(backends.indexOf('onnx') + 1, 0, { label: 'onnx-int8', backend: 'onnx', model: 'use-lite-int8' });
  return runs;
}

function backendList(raw: string): BackendName[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => !(BACKENDS as readonly string[]).includes(n));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown backend ${bad.join(', ')}; expected some of ${BACKENDS.join(', ')}`);
  return names as BackendName[];
}

/** `eval` and its `sts` subcommand; returns `eval` for the other subcommands to join. */
export function registerEvalCommand(program: Command, act: Act): Command {
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
      act(async (ctx) => {
        const pairs = await readStsPairs(file);
        const corpus = options.corpus ? await readCorpusSample(options.corpus, options.sample) : [];
        const backends = options.backends ?? (await availableBackends());
        const results = new Map<string, StsResult & { seconds: number; model: string }>();
        for (const run of stsRuns(backends)) {
          const embedder = await createEmbedder({ ...ctx.config, embedBackend: run.backend, embedModel: run.model }, ctx.logger, 'bulk');
          try {
            const started = performance.now();
            const result = await evaluateSts(pairs, embedder, { dimensions: options.dims, seed: options.seed, corpus });
            results.set(run.label, { ...result, seconds: (performance.now() - started) / 1000, model: embedder.modelId });
          } finally {
            await embedder.close();
          }
        }
        const reference = results.get(REFERENCE);
        const agreements = [...results]
          .filter(([name]) => reference && name !== REFERENCE)
          .map(([name, r]) => ({ backend: name, against: REFERENCE, ...agreement(r.vectors, reference!.vectors) }));

        if (options.json) {
          const byBackend = [...results].map(([backend, r]) => ({ backend, model: r.model, seconds: r.seconds, rows: r.rows }));
          ctx.out(JSON.stringify({ pairs: pairs.length, results: byBackend, agreements }, null, 2));
          return;
        }
        ctx.out(`STS Benchmark: ${pairs.length} pairs; model ${[...results.values()][0]?.model ?? '?'}`);
        ctx.out(`PCA fitted on ${options.corpus ? `${corpus.length} headlines from ${path.basename(options.corpus)}` : 'the STS sentences'}`);
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
            `${a.backend} vs ${a.against}: cosine over all ${pairs.length * 2} sentences (${a.sentences} distinct): ` +
              `min ${a.minimum.toFixed(10)} (1 − ${(1 - a.minimum).toExponential(1)}), mean ${a.mean.toFixed(10)}`,
          );
        }
        ctx.out(`(${[...results].map(([b, r]) => `${b} ${r.seconds.toFixed(1)} s`).join(', ')})`);
      }),
    );
  return evalCommand;
}
