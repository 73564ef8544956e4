export const BACKENDS = ['wasm', 'tensorflow', 'tensorflow-gpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

export interface BackendChoice {
  readonly backend: BackendName;
  readonly warning?: string;
}

/**
 * Native TensorFlow when the user installed it, else WebAssembly. The pure-JS cpu
 * backend (~4 sentences/s) is never chosen automatically; asked for, it comes with a warning.
 */
export function chooseBackend(request: BackendRequest, installed: ReadonlySet<BackendName>): BackendChoice {
  if (request === 'auto') {
    if (installed.has('tensorflow-gpu')) return { backend: 'tensorflow-gpu' };
    if (installed.has('tensorflow')) return { backend: 'tensorflow' };
    return { backend: 'wasm' };
  }
  if (request === 'tensorflow' || request === 'tensorflow-gpu') {
    if (!installed.has(request)) {
      const pkg = request === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      throw new Error(`EMBED_BACKEND=${request} needs ${pkg}@4.22.0, which is not installed (npm install ${pkg}@4.22.0)`);
    }
    return { backend: request };
  }
  if (request === 'cpu') {
    return { backend: 'cpu', warning: 'EMBED_BACKEND=cpu is the pure-JavaScript backend (about 4 sentences/s); use wasm for anything but tiny inputs' };
  }
  return { backend: request };
}
