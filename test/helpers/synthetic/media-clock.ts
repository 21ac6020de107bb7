/**
 * One 20 ms timer for every synthetic sender of a process (one timer per participant would cost more than the
 * media at 100 participants). Each sender is told the wall-clock time and works out what is due.
 */
export const AUDIO_FRAME_MS = 20;

export interface ClockedSender {
  tick(nowMs: number): void;
}

export class MediaClock {
  readonly #senders = new Set<ClockedSender>();
  #timer: NodeJS.Timeout | undefined;

  add(sender: ClockedSender): void {
    this.#senders.add(sender);
    this.#timer ??= setInterval(() => {
      const now = performance.now();
      for (const s of this.#senders) s.tick(now);
    }, AUDIO_FRAME_MS);
  }

  remove(sender: ClockedSender): void {
    this.#senders.delete(sender);
    if (this.#senders.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** The process's shared clock. */
export const sharedClock = new MediaClock();
