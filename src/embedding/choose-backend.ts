import type { BackendName, BackendRequest } from '../config/embed-backends.ts';

export interface BackendChoice {
  readonly backend: BackendName;
  readonly warning?: string;
}

/**
 * ONNX Runtime when its native library loads (a regular dependency, so normally always),
 * else native TensorFlow if the user installed it, else WebAssembly. The pure-JS cpu
 * backend (too slow to embed a corpus) is never chosen automatically; asked for, it comes with a warning.
 */
export function chooseBackend(request: BackendRequest, installed: ReadonlySet<BackendName>): BackendChoice {
  if (request === 'auto') {
    if (installed.has('onnx')) return { backend: 'onnx' };
    const fallback = installed.has('tensorflow-gpu') ? 'tensorflow-gpu' : installed.has('tensorflow') ? 'tensorflow' : 'wasm';
    return { backend: fallback, warning: `onnxruntime-node did not load; embedding with tfjs ${fallback}, several times slower` };
  }
  if (request === 'onnx' && !installed.has('onnx')) {
    throw new Error('EMBED_BACKEND=onnx needs onnxruntime-node, which did not load (reinstall it with npm ci), or set EMBED_BACKEND=wasm');
  }
  if (request === 'tensorflow' || request === 'tensorflow-gpu') {
    if (!installed.has(request)) {
      const pkg = request === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      throw new Error(`EMBED_BACKEND=${request} needs ${pkg}@4.22.0, which is not installed (npm install ${pkg}@4.22.0)`);
    }
    return { backend: request };
  }
  if (request === 'cpu') {
    return { backend: 'cpu', warning: 'EMBED_BACKEND=cpu is the pure-JavaScript backend (about 4 sentences/s); use onnx or wasm for anything but tiny inputs' };
  }
  return { backend: request };
}
