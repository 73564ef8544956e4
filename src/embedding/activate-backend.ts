import * as tf from '@tensorflow/tfjs-core';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { chooseBackend, type BackendName, type BackendRequest } from './choose-backend.ts';

const NATIVE_PACKAGES: ReadonlyArray<[BackendName, string]> = [
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ['tensorflow', '@tensorflow/tfjs-node'],
];

/** Optional peers: present only if the user installed them (they download libtensorflow). */
async function detectInstalled(): Promise<Set<BackendName>> {
  const found = new Set<BackendName>(['wasm', 'cpu']);
  for (const [name, pkg] of NATIVE_PACKAGES) {
    try {
      await import(/* webpackIgnore: true */ pkg);
      found.add(name);
      return found; // importing registers the backend; one native backend is enough
    } catch {
      // not installed
    }
  }
  return found;
}

let active: Promise<BackendName> | undefined;

/** Selects and initialises the tfjs backend once per process (or worker). */
export function activateBackend(request: BackendRequest, warn: (message: string) => void): Promise<BackendName> {
  active ??= (async () => {
    const installed = request === 'wasm' || request === 'cpu' ? new Set<BackendName>([request]) : await detectInstalled();
    let choice;
    try {
      choice = chooseBackend(request, installed);
    } catch (error) {
      throw new AppError(ErrorCode.CONFIG_INVALID, (error as Error).message);
    }
    if (choice.warning) warn(choice.warning);
    if (choice.backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (choice.backend === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend(choice.backend))) {
      throw new AppError(ErrorCode.INTERNAL, `tfjs backend ${choice.backend} failed to initialise`);
    }
    await tf.ready();
    return choice.backend;
  })();
  return active;
}
