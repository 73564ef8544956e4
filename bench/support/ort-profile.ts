// Reads an ONNX Runtime profile (enableProfiling's JSON trace): time per op type, and
// which execution provider ran the nodes of each model call.
import fs from 'node:fs';

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string; readonly provider?: string };
}

export interface OrtProfile {
  /** Microseconds of kernel time per op type, largest first. */
  readonly byOpType: ReadonlyArray<readonly [string, number]>;
  readonly kernelMicros: number;
  /** Per model call, in order: kernel microseconds per execution provider. */
  readonly runs: ReadonlyArray<ReadonlyMap<string, number>>;
}

export function readOrtProfile(file: string): OrtProfile {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as TraceEvent[];
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const byOpType = new Map<string, number>();
  for (const e of kernels) byOpType.set(e.args?.op_name ?? '?', (byOpType.get(e.args?.op_name ?? '?') ?? 0) + e.dur);
  const runs = events
    .filter((e) => e.cat === 'Session' && e.name === 'model_run')
    .sort((a, b) => a.ts - b.ts)
    .map((run) => {
      const providers = new Map<string, number>();
      for (const e of kernels) {
        if (e.ts >= run.ts && e.ts <= run.ts + run.dur) providers.set(e.args?.provider ?? '?', (providers.get(e.args?.provider ?? '?') ?? 0) + e.dur);
      }
      return providers;
    });
  return {
    byOpType: [...byOpType].sort((a, b) => b[1] - a[1]),
    kernelMicros: kernels.reduce((sum, e) => sum + e.dur, 0),
    runs,
  };
}
