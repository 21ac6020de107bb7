/**
 * Runs async tasks one at a time, in the order they were given. Used wherever overlapping work would
 * corrupt state: SDP rounds on one peer connection, MLS operations on one group state, key changes in the
 * SFrame worker, the Janus adapter's requests for one subscriber. Shared by server, page and worker code, so
 * it depends on nothing but the language.
 *
 * A task that throws or rejects fails its own caller only (through the promise `run` returned); the queue
 * goes on with the next task, which never sees the failure.
 */
export class SerialQueue {
  /** Settles when the last task given so far has settled; never rejects. */
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  /**
   * Queues `task` behind every task given before it and resolves (or rejects) with its result. The task
   * always starts asynchronously, even on an idle queue, so callers see the same order either way.
   */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => this.#settle(),
      () => this.#settle(),
    );
    return result;
  }

  /** Resolves once every task given so far has settled (tasks given later are not waited for). */
  whenIdle(): Promise<void> {
    return this.#tail;
  }

  /** Tasks given and not yet settled, the running one included. */
  get pending(): number {
    return this.#pending;
  }

  #settle(): void {
    this.#pending--;
  }
}
