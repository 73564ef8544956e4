import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createEmbedder } from '../../embedding/create-embedder.ts';
import { PCA_SAMPLE_SIZE } from '../../embedding/create-projection.ts';
import { evaluateSts } from '../../eval/evaluate-sts.ts';
import { readCorpusSample } from '../../eval/read-corpus-sample.ts';
import { readStsPairs } from '../../eval/read-sts-pairs.ts';
import { runCommand } from '../run-command.ts';
import { positiveInt } from './option-parsers.ts';

const DEFAULT_CORPUS = '../shared/data/abcnews-sample.csv';

export function registerEvalCommand(program: Command): void {
  const evalCommand = program.command('eval').description('measure embedding quality');
  evalCommand
    .command('sts <file>')
    .description('Spearman/Pearson of cosine similarity vs. human scores on the STS Benchmark (TSV: score, sentence1, sentence2)')
    .option('--corpus <csv>', `headlines CSV to fit PCA on (default ${DEFAULT_CORPUS} if present, else the STS sentences)`)
    .option('--sample <n>', 'corpus rows to fit PCA on', positiveInt, PCA_SAMPLE_SIZE)
    .option('--dims <k>', 'reduced dimensions', positiveInt, 64)
    .option('--seed <n>', 'gaussian projection seed', positiveInt, 42)
    .option('--json', 'print JSON instead of a table')
    .action((file: string, options: { corpus?: string; sample: number; dims: number; seed: number; json?: boolean }) =>
      runCommand(async (ctx) => {
        const pairs = await readStsPairs(file);
        const corpusFile = options.corpus ?? (fs.existsSync(DEFAULT_CORPUS) ? DEFAULT_CORPUS : undefined);
        const corpus = corpusFile ? await readCorpusSample(corpusFile, options.sample) : [];
        const embedder = await createEmbedder(ctx.config, ctx.logger, 'bulk');
        try {
          const started = performance.now();
          const rows = await evaluateSts(pairs, embedder, { dimensions: options.dims, seed: options.seed, corpus });
          if (options.json) {
            ctx.out(JSON.stringify({ backend: embedder.backend, model: embedder.modelId, pairs: pairs.length, rows }, null, 2));
            return;
          }
          ctx.out(`STS Benchmark: ${pairs.length} pairs; model ${embedder.modelId} on ${embedder.backend}`);
          ctx.out(`PCA fitted on ${corpusFile ? `${corpus.length} headlines from ${path.basename(corpusFile)}` : 'the STS sentences'}`);
          ctx.out('');
          ctx.out('space         dims  spearman  pearson');
          for (const r of rows) {
            ctx.out(`${r.space.padEnd(12)} ${String(r.dimensions).padStart(5)}  ${r.spearman.toFixed(4).padStart(8)}  ${r.pearson.toFixed(4).padStart(7)}`);
          }
          ctx.out('');
          ctx.out(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
        } finally {
          await embedder.close();
        }
      }),
    );
}
