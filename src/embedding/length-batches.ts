/**
 * Groups item indices into batches of similar token length: the model pads each batch
 * to its longest text, so mixing lengths wastes work. Pure; order of the output batches
 * is by length, and callers put results back by index.
 */
export function lengthBatches(lengths: readonly number[], batchSize: number): number[][] {
  if (batchSize < 1) throw new RangeError('batchSize must be >= 1');
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
