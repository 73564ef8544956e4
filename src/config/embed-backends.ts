/** The embedding runtimes EMBED_BACKEND can name; config validates against this list. */
export const BACKENDS = ['onnx', 'wasm', 'tensorflow', 'tensorflow-gpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';
export type TfBackendName = Exclude<BackendName, 'onnx'>;

/**
 * The embedding model (EMBED_MODEL): the Universal Sentence Encoder; `use-lite-int8`, the same
 * weights quantised to int8 for ONNX Runtime (faster, slightly different vectors, its own
 * model id); or `hash`, a bag-of-words stand-in with no weights for the fast test tier and
 * quick demos.
 */
export const MODELS = ['use-lite', 'use-lite-int8', 'hash'] as const;
export type ModelName = (typeof MODELS)[number];
