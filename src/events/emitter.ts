/**
 * The one typed event emitter of the browser SDK and the E2EE session (node:events is not available in the
 * page or the worker, and a dependency for this would be a waste). Event names and their arguments come
 * from the map given as `E`: an event that is not in the map does not compile.
 *
 * A throwing listener must not stop the others nor the emitter: its error is reported on the console (with
 * the event's name, never its arguments, which may hold meeting content) and the next listener runs.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };
type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<AnyListener>>();

  /** Returns a function that removes the listener. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as unknown as AnyListener);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (err) {
        console.error('sabha: event listener failed', { event: String(event), err });
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
