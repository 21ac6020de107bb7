/**
 * Runs async operations one at a time, in call order. A failed operation rejects its own
 * caller only; the queue goes on with the next one.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(operation, operation);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
