/**
 * A small typed event emitter for the session (the page has no node:events). A throwing listener neither
 * stops the other listeners nor the session.
 */
export type EventMap = { [event: string]: unknown[] };
type AnyListener = (...args: unknown[]) => void;

export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<AnyListener>>();

  /** Returns a function that removes the listener. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const stored = listener as unknown as AnyListener;
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(stored);
    return () => this.#listeners.get(event)?.delete(stored);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch {
        // A listener's bug is the listener's: the session goes on.
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
