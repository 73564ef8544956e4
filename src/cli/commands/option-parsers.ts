import { InvalidArgumentError } from 'commander';
import { MAX_HNSW_BUILD_WORKERS } from '../../app/command-defaults.ts';

export function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function buildWorkerCount(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_HNSW_BUILD_WORKERS) throw new InvalidArgumentError(`expected a number of workers from 0 to ${MAX_HNSW_BUILD_WORKERS}`);
  return n;
}

export function port(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new InvalidArgumentError('expected a TCP port from 0 (any free port) to 65535');
  return n;
}
