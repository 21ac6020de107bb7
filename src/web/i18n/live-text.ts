/**
 * Text that follows the language: a view registers how it writes each of its texts, runs them once, and runs
 * them again when the person picks another language, so that what they typed and what the view holds (a
 * new meeting's links, a camera preview) stay as they are.
 */
import { onLanguageChange } from './index.ts';

export class LiveText {
  readonly #writers: (() => void)[] = [];
  readonly #off = onLanguageChange(() => this.#writeAll());

  /** Runs `write` now and after every change of language. */
  add(write: () => void): void {
    write();
    this.#writers.push(write);
  }

  dispose(): void {
    this.#off();
    this.#writers.length = 0;
  }

  #writeAll(): void {
    for (const write of this.#writers) write();
  }
}
