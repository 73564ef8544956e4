import cliProgress from 'cli-progress';
import type { IndexBuildProgress } from '../db/watch-index-build.ts';
import type { IngestProgress } from './ingest.ts';
import { describeIndexProgress } from './describe-index-progress.ts';

export interface ProgressReporter {
  update(progress: IngestProgress): void;
  /** The index build after the load; ends the load's bar on a terminal. */
  index(progress: IndexBuildProgress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (bytes-based ETA when the size is known), a log line every
 * few seconds otherwise, nothing with --quiet. The index build after the load gets a bar
 * of its own (tuples-based ETA) or its own log lines.
 */
export function createProgressReporter(mode: 'tty' | 'log' | 'quiet', log: (line: string) => void, intervalMs = 5000): ProgressReporter {
  const started = performance.now();
  const rate = (p: IngestProgress) => p.read / Math.max((performance.now() - started) / 1000, 1e-3);
  const counts = (p: IngestProgress) => `read ${p.read} | loaded ${p.loaded} | duplicates ${p.duplicates} | rejected ${p.rejected} | ${rate(p).toFixed(0)} rows/s`;

  if (mode === 'quiet') return { update: () => undefined, index: () => undefined, stop: () => undefined };

  if (mode === 'log') {
    let last = 0;
    let latest: IngestProgress | null = null;
    let indexing = false;
    let phase = '';
    const emit = () => {
      if (!latest) return;
      const share = latest.totalBytes ? ` | ${((100 * latest.bytesRead) / latest.totalBytes).toFixed(1)}%` : '';
      log(`ingest: ${counts(latest)}${share}`);
    };
    return {
      update(p) {
        latest = p;
        if (performance.now() - last >= intervalMs) {
          last = performance.now();
          emit();
        }
      },
      index(p) {
        if (!indexing) {
          // The load's final counts, then the index lines from a fresh interval.
          indexing = true;
          emit();
          latest = null;
          last = performance.now();
          log(`index: ${describeIndexProgress(p)}`);
        } else if (performance.now() - last >= intervalMs || p.phase !== phase) {
          last = performance.now();
          log(`index: ${describeIndexProgress(p)}`);
        }
        phase = p.phase;
      },
      stop: emit,
    };
  }

  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {counts} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  let indexBar: cliProgress.SingleBar | null = null;
  return {
    index(p) {
      if (!indexBar) {
        if (begun) bar.stop();
        begun = false;
        indexBar = new cliProgress.SingleBar(
          { format: 'index {bar} {percentage}% | {detail}', hideCursor: true, etaBuffer: 20, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        );
        indexBar.start(p.tuplesTotal ?? 1, 0, { detail: describeIndexProgress(p) });
      }
      if (p.tuplesTotal !== null) indexBar.setTotal(p.tuplesTotal);
      // A phase without a tuple count (the vacuum after the build) keeps the bar where it is.
      if (p.tuplesDone === null) indexBar.update({ detail: describeIndexProgress(p) });
      else indexBar.update(p.tuplesDone, { detail: describeIndexProgress(p) });
    },
    update(p) {
      const total = p.totalBytes ?? 0;
      if (!begun) {
        bar.start(total || 1, 0, { counts: counts(p) });
        begun = true;
      }
      bar.update(total ? Math.min(p.bytesRead, total) : 0, { counts: counts(p) });
    },
    stop() {
      if (begun) bar.stop();
      indexBar?.stop();
    },
  };
}
