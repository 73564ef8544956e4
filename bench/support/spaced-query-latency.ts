import type { Embedder } from '../../src/embedding/embedder.ts';
import { percentile } from './stats.ts';

/** One way of running the query path, built by the caller. */
export interface QuerySetting {
  readonly label: string;
  readonly create: () => Promise<Embedder>;
}

export interface SpacedQueryResult {
  readonly label: string;
  readonly p50: number;
  readonly p95: number;
  /** Mean CPU of the whole process (every thread) from one call's start to the next call's. */
  readonly cpuMs: number;
}

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Single-query embeds spaced by `gapMs` of sleep, as searches arrive on a quiet server:
 * threads that went idle between calls must be woken, and caches refilled. The settings
 * take turns query by query, so each sees the same machine. Wall time per call; and the
 * process's CPU from the call to the end of the sleep after it, so that work a setting
 * leaves running after it answers (threads spinning, a worker settling) counts against it.
 */
export async function spacedQueryLatency(settings: readonly QuerySetting[], texts: readonly string[], queries: number, gapMs: number): Promise<SpacedQueryResult[]> {
  const runs: Array<{ setting: QuerySetting; embedder: Embedder; wall: number[]; cpu: number }> = [];
  try {
    for (const setting of settings) {
      const embedder = await setting.create();
      await embedder.embed(['warm up the model']);
      runs.push({ setting, embedder, wall: [], cpu: 0 });
    }
    for (let i = 0; i < queries; i++) {
      for (const run of runs) {
        const text = texts[(i * 17) % texts.length]!;
        const cpu = cpuNow();
        const t = performance.now();
        await run.embedder.embed([text]);
        run.wall.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
        run.cpu += cpuNow() - cpu;
      }
    }
    return runs.map((run) => ({ label: run.setting.label, p50: percentile(run.wall, 50), p95: percentile(run.wall, 95), cpuMs: run.cpu / queries }));
  } finally {
    for (const run of runs) await run.embedder.close();
  }
}
