/**
 * Symmetric per-column quantisation of a row-major [rows, columns] weight matrix to 7 bits
 * held in int8: column j becomes round(w / s_j) with s_j = max|w_j| / 63, so w ≈ q · s_j.
 * Per column because columns differ in range, and one scale for the whole matrix would
 * leave the narrow ones only a few levels each. Seven bits, not eight, because on x86 CPUs
 * without VNNI ONNX Runtime multiplies uint8 activations by int8 weights in pairs summed
 * into int16 (vpmaddubsw), which saturates past 32,767: 2 · 255 · 127 overflows, and
 * 2 · 255 · 63 does not. With eight bits such a CPU gave vectors as far as cosine 0.966
 * from the float model's.
 */
export function quantizeColumns(weights: Float32Array, rows: number, columns: number): { readonly values: Int8Array; readonly scales: Float32Array } {
  if (weights.length !== rows * columns) throw new Error(`quantizeColumns: ${weights.length} values for [${rows}, ${columns}]`);
  const scales = new Float32Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) scales[c] = Math.max(scales[c]!, Math.abs(weights[r * columns + c]!));
  }
  // An all-zero column keeps scale 1 so dequantising never divides by zero.
  for (let c = 0; c < columns; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 63 : 1;
  const values = new Int8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) values[r * columns + c] = Math.max(-63, Math.min(63, Math.round(weights[r * columns + c]! / scales[c]!)));
  }
  return { values, scales };
}
