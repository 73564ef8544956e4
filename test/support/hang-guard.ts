/**
 * Settles as `work` does, or rejects once `ms` have passed: only to turn a hang into a
 * failure, never to assert a duration, so `ms` is generous.
 */
export async function withinOrHung<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still running after ${ms / 1000} s (hung)`)), ms);
  });
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}
