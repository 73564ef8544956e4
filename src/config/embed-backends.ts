/** The embedding runtimes EMBED_BACKEND can name; config validates against this list. */
export const BACKENDS = ['onnx', 'wasm', 'tensorflow', 'tensorflow-gpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';
export type TfBackendName = Exclude<BackendName, 'onnx'>;
