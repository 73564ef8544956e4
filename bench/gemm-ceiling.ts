// node --import tsx bench/gemm-ceiling.ts [sample.csv] — how fast could the float model be
// if everything but its dense layers were free? Builds an ONNX graph holding only the float
// graph's dense GEMMs (MatMul + bias, the same weight shapes, fed the packed token and text
// counts of real batches) and runs it alternately with the full float graph over the same
// real headlines, in one process, one ORT thread, the same session options. Also measures
// one thread's raw SGEMM rate on a large square MatMul. Prints figures; asserts nothing.
import os from 'node:os';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { loadConfig } from '../src/config/load-config.ts';
import { createEmbedder, modelCacheDir } from '../src/embedding/create-embedder.ts';
import { lengthBatches } from '../src/embedding/length-batches.ts';
import { GraphBuilder } from '../src/embedding/onnx/graph-builder.ts';
import { encodeOnnxModel, OnnxType, type OnnxGraph } from '../src/embedding/onnx/onnx-model.ts';
import { OnnxUseEncoder, onnxSessionOptions } from '../src/embedding/onnx/onnx-use-encoder.ts';
import { packUseLiteTokens } from '../src/embedding/onnx/pack-use-lite-tokens.ts';
import { buildUseLiteGraph } from '../src/embedding/onnx/use-lite-onnx-graph.ts';
import { ensureUseLiteOnnxFile } from '../src/embedding/onnx/use-lite-onnx-file.ts';
import { UseLiteWeights } from '../src/embedding/onnx/use-lite-weights.ts';
import { useModelDir } from '../src/embedding/use-model-files.ts';
import { readCorpusSample } from '../src/eval/read-corpus-sample.ts';
import { silentLogger } from '../src/logger.ts';
import { median } from './support/stats.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';

const { values: args, positionals } = benchOptions(
  { rows: { type: 'string', default: '3000' }, passes: { type: 'string', default: '5' }, quiet: { type: 'string', default: '' } },
  { BENCH_ROWS: '--rows', BENCH_PASSES: '--passes', BENCH_QUIET: '--quiet <1-worker>,<2-worker>' },
);
const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV', positionals[0]);
const ROWS = positive(args.rows, 'rows');
const PASSES = positive(args.passes, 'passes');
/**
 * --quiet <1-worker>,<2-worker>: bench:embed's float rates measured on a quiet machine
 * (docs/performance.md), to scale the ceiling to them; without it, only ratios are printed.
 */
const [QUIET_ONE_WORKER, QUIET_TWO_WORKERS] = list(args.quiet).map(Number);
const scaled = (ratio: number) =>
  QUIET_ONE_WORKER && QUIET_TWO_WORKERS
    ? `: 1 worker ${(QUIET_ONE_WORKER * ratio).toFixed(0)}/s, 2 workers ${(QUIET_TWO_WORKERS * ratio).toFixed(0)}/s (scaled from the quiet ${QUIET_ONE_WORKER}/${QUIET_TWO_WORKERS})`
    : '';

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
/** CPU seconds of this process (ORT runs on the calling thread with one intra-op thread). */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A dense layer of the float graph: rows are tokens (packed) or texts (after pooling). */
interface Dense {
  readonly rows: 'tokens' | 'texts';
  readonly inDims: number;
  readonly outDims: number;
  readonly kernel: Float32Array;
  readonly bias?: Float32Array;
}

/** The float graph's MatMuls with their weights, and whether each runs per token or per text. */
function denseLayers(graph: OnnxGraph): Dense[] {
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  const perText = new Set<string>();
  const layers: Dense[] = [];
  for (const node of graph.nodes) {
    // Pooling (ReduceSum) is where rows become texts; everything computed from it is per text.
    if (node.op === 'ReduceSum' || node.inputs.some((i) => perText.has(i))) node.outputs.forEach((o) => perText.add(o));
    if (node.op !== 'MatMul') continue;
    const kernel = inits.get(node.inputs[1]!)!;
    const add = graph.nodes.find((n) => n.op === 'Add' && n.inputs.includes(node.outputs[0]!));
    const bias = add?.inputs.map((i) => inits.get(i)).find((i) => i?.dims.length === 1);
    layers.push({
      rows: node.inputs.some((i) => perText.has(i)) ? 'texts' : 'tokens',
      inDims: kernel.dims[0]!,
      outDims: kernel.dims[1]!,
      kernel: kernel.data as Float32Array,
      bias: bias?.data as Float32Array | undefined,
    });
  }
  return layers;
}

/** Only the dense layers, each fed its own input; outputs summed to one scalar so none is pruned. */
function gemmOnlyGraph(layers: readonly Dense[]): OnnxGraph {
  const b = new GraphBuilder('gemm_only');
  const inputName = (d: Dense) => `x_${d.rows}_${d.inDims}`;
  const sums = layers.map((d) => {
    const product = b.op('MatMul', [inputName(d), b.floats('kernel', [d.inDims, d.outDims], d.kernel)]);
    const out = d.bias ? b.op('Add', [product, b.floats('bias', [d.outDims], d.bias)]) : product;
    return b.op('ReduceSum', [out], { keepdims: 0 });
  });
  b.rename(b.op('Sum', sums), 'total');
  const inputs = [...new Map(layers.map((d) => [inputName(d), d])).values()].map((d) => ({
    name: inputName(d),
    type: OnnxType.FLOAT,
    shape: [d.rows, d.inDims],
  }));
  return b.build(inputs, [{ name: 'total', type: OnnxType.FLOAT, shape: [] }]);
}

function randomFloats(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.random() * 2 - 1;
  return out;
}

const ort = await import('onnxruntime-node');
const config = loadConfig();
const graph = buildUseLiteGraph(await UseLiteWeights.load(useModelDir()), 'float32');
const layers = denseLayers(graph);
const encoder = await OnnxUseEncoder.load(await ensureUseLiteOnnxFile(modelCacheDir(config)), { threads: 1 }, (m) => console.log(`warning: ${m}`));
const gemm = await ort.InferenceSession.create(encodeOnnxModel(gemmOnlyGraph(layers)), onnxSessionOptions({ threads: 1 }));

const texts = await readCorpusSample(SAMPLE, ROWS);
const encodings = texts.map((t) => encoder.tokenize(t));
const batches = lengthBatches(encodings.map((e) => e.length), config.embedBatchSize).map((batch) => batch.map((i) => encodings[i]!));

// FLOPs from shapes: 2·rows·in·out per dense layer; attention's two batched products on the padded layout.
const attentionWidths = graph.nodes
  .filter((n) => n.op === 'MultiHeadAttention')
  .map((mha) => {
    const split = graph.nodes.find((n) => n.op === 'Split' && n.outputs.includes(mha.inputs[0]!))!;
    return Number(graph.initializers.find((i) => i.name === split.inputs[1])!.data[0]);
  });
let denseFlops = 0;
let attentionFlops = 0;
const feeds = batches.map((batch) => {
  const { tokens, time } = packUseLiteTokens(batch);
  const rows = { tokens, texts: batch.length };
  for (const d of layers) denseFlops += 2 * rows[d.rows] * d.inDims * d.outDims;
  for (const width of attentionWidths) attentionFlops += 2 * 2 * batch.length * time * time * width;
  const inputs: Record<string, OrtTensor> = {};
  for (const d of layers) {
    const name = `x_${d.rows}_${d.inDims}`;
    inputs[name] ??= new ort.Tensor('float32', randomFloats(rows[d.rows] * d.inDims), [rows[d.rows], d.inDims]);
  }
  return inputs;
});
const tokenTotal = batches.reduce((sum, batch) => sum + packUseLiteTokens(batch).tokens, 0);

console.log(
  `gemm-ceiling  ${texts.length} headlines (${tokenTotal} tokens, ${(tokenTotal / texts.length).toFixed(2)} a headline) in ${batches.length} batches of ${config.embedBatchSize}; ` +
    `1 ORT thread; ${os.availableParallelism()} cores; node ${process.version}; load average ${load()}`,
);
console.log(`dense layers (rows × in × out): ${layers.map((d) => `${d.rows}×${d.inDims}×${d.outDims}`).join(', ')}`);
console.log(
  `model FLOPs per headline: dense ${(denseFlops / texts.length / 1e6).toFixed(1)} M, attention products ${(attentionFlops / texts.length / 1e6).toFixed(1)} M (padded), ` +
    `total ${((denseFlops + attentionFlops) / texts.length / 1e6).toFixed(1)} M`,
);

async function pass(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const [t, c] = [performance.now(), cpuSeconds()];
  await run();
  return { wall: (performance.now() - t) / 1000, cpu: cpuSeconds() - c };
}
const fullPass = () => pass(async () => {
  for (const batch of batches) await encoder.embedTokens(batch);
});
const gemmPass = () => pass(async () => {
  for (const inputs of feeds) await gemm.run(inputs);
});

// bench:embed's path as well: one pool worker that tokenises, batches and runs the same graph.
const pool = await createEmbedder({ ...config, embedBackend: 'onnx', embedModel: 'use-lite', embedWorkers: 1 }, silentLogger, 'bulk');
const poolPass = () => pass(() => pool.embed(texts));

await fullPass();
await gemmPass();
await poolPass();
const full: Array<{ wall: number; cpu: number }> = [];
const gemmOnly: Array<{ wall: number; cpu: number }> = [];
const worker: Array<{ wall: number; cpu: number }> = [];
for (let i = 0; i < PASSES; i++) {
  full.push(await fullPass());
  gemmOnly.push(await gemmPass());
  worker.push(await poolPass());
}
await pool.close();
const rate = (runs: typeof full, key: 'wall' | 'cpu') => median(runs.map((r) => texts.length / r[key]));
for (const key of ['cpu', 'wall'] as const) {
  const [f, g] = [rate(full, key), rate(gemmOnly, key)];
  console.log(
    `by ${key} time, median of ${PASSES} alternated passes: full float graph ${f.toFixed(0)} headlines/s (${((denseFlops / texts.length) * f / 1e9).toFixed(1)} dense GFLOP/s), ` +
      `GEMM-only ${g.toFixed(0)} headlines/s (${((denseFlops / texts.length) * g / 1e9).toFixed(1)} GFLOP/s); GEMMs are ${((100 * f) / g).toFixed(1)}% of the full graph's time; ` +
      `ceiling ${(g / f).toFixed(2)}× the full graph${scaled(g / f)}`,
  );
}
for (const key of ['cpu', 'wall'] as const) {
  console.log(`bench:embed's 1-worker path (tokenise, batch, hand off to the worker), by ${key} time, same passes: ${rate(worker, key).toFixed(0)} headlines/s (${((100 * rate(worker, key)) / rate(full, key)).toFixed(1)}% of the bare graph's rate)`);
}
// Each pass's ratio to the full-graph pass next to it: steadier than ratios of medians while the load drifts.
const paired = (runs: typeof full) => median(runs.map((r, i) => full[i]!.cpu / r.cpu));
console.log(
  `paired by CPU time (median of per-pass ratios): GEMM-only ${paired(gemmOnly).toFixed(3)}× the full graph, the 1-worker path ${paired(worker).toFixed(3)}×; ` +
    `ceiling of the GEMMs alone${scaled(paired(gemmOnly))}`,
);
console.log(`passes (cpu s, full | gemm | worker): ${full.map((r) => r.cpu.toFixed(2)).join(' ')} | ${gemmOnly.map((r) => r.cpu.toFixed(2)).join(' ')} | ${worker.map((r) => r.cpu.toFixed(2)).join(' ')}; load ${load()}`);

/** One thread's SGEMM rate: [n × n] input times an [n × n] weight (prepacked, as the model's are). */
async function sgemm(m: number, k: number, n: number): Promise<{ shape: string; gflopsPerCpuSecond: number }> {
  const b = new GraphBuilder('sgemm');
  b.rename(b.op('MatMul', ['a', b.floats('w', [k, n], randomFloats(k * n))]), 'c');
  const session: InferenceSession = await ort.InferenceSession.create(
    encodeOnnxModel(b.build([{ name: 'a', type: OnnxType.FLOAT, shape: [m, k] }], [{ name: 'c', type: OnnxType.FLOAT, shape: [m, n] }])),
    onnxSessionOptions({ threads: 1 }),
  );
  const a = { a: new ort.Tensor('float32', randomFloats(m * k), [m, k]) };
  await session.run(a);
  const reps = Math.max(3, Math.round(2e10 / (2 * m * k * n)));
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const { cpu } = await pass(async () => {
      for (let i = 0; i < reps; i++) await session.run(a);
    });
    rates.push((2 * m * k * n * reps) / cpu / 1e9);
  }
  console.log(`raw SGEMM ${m}×${k}·${k}×${n}, 1 thread: median ${median(rates).toFixed(1)} GFLOP/s by CPU time (${rates.map((r) => r.toFixed(1)).join(', ')}); load ${load()}`);
  await session.release();
  return { shape: `${m}x${k}x${n}`, gflopsPerCpuSecond: median(rates) };
}
const sgemms = [await sgemm(1024, 1024, 1024), await sgemm(2048, 2048, 2048)];
const tokensPerBatch = Math.round(tokenTotal / batches.length);
sgemms.push(await sgemm(tokensPerBatch, 512, 1536));
printSummary('gemm-ceiling', {
  headlines: texts.length,
  passes: PASSES,
  fullGraphPerCpuSecond: rate(full, 'cpu'),
  gemmOnlyPerCpuSecond: rate(gemmOnly, 'cpu'),
  oneWorkerPathPerCpuSecond: rate(worker, 'cpu'),
  gemmOnlyVsFullPaired: paired(gemmOnly),
  oneWorkerPathVsFullPaired: paired(worker),
  sgemm: sgemms,
});
