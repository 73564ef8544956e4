import cliProgress from 'cli-progress';
import type { IngestProgress } from './ingest.ts';

export interface ProgressReporter {
  update(progress: IngestProgress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (bytes-based ETA when the size is known), a log line every
 * few seconds otherwise, nothing with --quiet.
 */
export function createProgressReporter(mode: 'tty' | 'log' | 'quiet', log: (line: string) => void, intervalMs = 5000): ProgressReporter {
  const started = performance.now();
  const rate = (p: IngestProgress) => p.read / Math.max((performance.now() - started) / 1000, 1e-3);
  const counts = (p: IngestProgress) => `read ${p.read} | loaded ${p.loaded} | duplicates ${p.duplicates} | rejected ${p.rejected} | ${rate(p).toFixed(0)} rows/s`;

  if (mode === 'quiet') return { update: () => undefined, stop: () => undefined };

  if (mode === 'log') {
    let last = 0;
    let latest: IngestProgress | null = null;
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
      stop: emit,
    };
  }

  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {counts} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
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
    },
  };
}
