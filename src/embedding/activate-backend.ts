import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { BackendName, BackendRequest, TfBackendName } from '../config/embed-backends.ts';
import { chooseBackend } from './choose-backend.ts';

/**
 * Native runtimes, in the order `auto` prefers them. The tfjs ones are optional peers,
 * present only if the user installed them (they download libtensorflow).
 */
const NATIVE_PACKAGES: ReadonlyArray<[BackendName, string]> = [
  ['onnx', 'onnxruntime-node'],
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
];

async function loads(pkg: string): Promise<boolean> {
  try {
    await import(/* webpackIgnore: true */ pkg);
    return true;
  } catch {
    return false;
  }
}

/** Loads only what the request could use: `auto` stops at the first native runtime found. */
async function detectInstalled(request: BackendRequest): Promise<Set<BackendName>> {
  const found = new Set<BackendName>(['wasm', 'cpu']);
  for (const [name, pkg] of NATIVE_PACKAGES) {
    if (request !== 'auto' && request !== name) continue;
    if (await loads(pkg)) {
      found.add(name);
      if (request === 'auto') break;
    }
  }
  return found;
}

const resolved = new Map<BackendRequest, Promise<BackendName>>();

/** Turns EMBED_BACKEND into the runtime to use, once per request value and process (or worker). */
export function resolveBackend(request: BackendRequest, warn: (message: string) => void): Promise<BackendName> {
  let backend = resolved.get(request);
  if (!backend) {
    backend = (async () => {
      const installed = await detectInstalled(request);
      try {
        const choice = chooseBackend(request, installed);
        if (choice.warning) warn(choice.warning);
        return choice.backend;
      } catch (error) {
        throw new AppError(ErrorCode.CONFIG_INVALID, (error as Error).message);
      }
    })();
    resolved.set(request, backend);
  }
  return backend;
}

/** Every runtime worth comparing here (the pure-JS cpu backend is not), fastest first. */
export async function availableBackends(): Promise<BackendName[]> {
  const found: BackendName[] = [];
  for (const [name, pkg] of NATIVE_PACKAGES) if (await loads(pkg)) found.push(name);
  return [...found, 'wasm'];
}

let activeTf: { readonly name: TfBackendName; readonly ready: Promise<void> } | undefined;

/**
 * Initialises a tfjs backend once per process (or worker): tfjs has one global backend,
 * so a process runs at most one tfjs runtime (ONNX Runtime can sit beside it).
 */
export function activateTfBackend(backend: TfBackendName): Promise<void> {
  if (activeTf && activeTf.name !== backend) {
    throw new AppError(ErrorCode.INTERNAL, `tfjs already runs ${activeTf.name} in this process; it cannot also run ${backend}`);
  }
  activeTf ??= { name: backend, ready: initialiseTf(backend) };
  return activeTf.ready;
}

async function initialiseTf(backend: TfBackendName): Promise<void> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') {
    await import(/* webpackIgnore: true */ backend === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu');
  }
  // Loaded here, not at start-up: the ONNX default never needs tfjs.
  const tf = await import('@tensorflow/tfjs-core');
  if (!(await tf.setBackend(backend))) {
    throw new AppError(ErrorCode.INTERNAL, `tfjs backend ${backend} failed to initialise`);
  }
  await tf.ready();
}
