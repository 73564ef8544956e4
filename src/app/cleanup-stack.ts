/**
 * What start-up has opened so far, closed in reverse order. A composition step that fails
 * part-way closes everything opened before it, so no server, worker or connection is left
 * running behind a failed start.
 */
export class CleanupStack {
  private readonly closers: Array<() => Promise<void>> = [];

  /** Opens one resource and remembers how to close it. */
  async open<T>(open: () => Promise<T> | T, close: (value: T) => Promise<void>): Promise<T> {
    const value = await open();
    this.closers.push(() => close(value));
    return value;
  }

  /** Closes everything, newest first; every closer runs even if one fails, then the first failure is thrown. */
  async close(): Promise<void> {
    let failure: unknown = null;
    for (let closer = this.closers.pop(); closer; closer = this.closers.pop()) {
      try {
        await closer();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  /** Runs the start-up steps; if one throws, closes what the earlier ones opened and rethrows. */
  static async build<T>(steps: (stack: CleanupStack) => Promise<T>): Promise<T> {
    const stack = new CleanupStack();
    try {
      return await steps(stack);
    } catch (error) {
      await stack.close().catch(() => undefined);
      throw error;
    }
  }
}
