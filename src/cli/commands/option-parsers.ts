import { InvalidArgumentError } from 'commander';

export function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
