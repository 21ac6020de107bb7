/**
 * Passes the SFU's talking/stopped-talking changes on to the meeting, at most one per participant
 * per interval: a sender that toggles its level to make the server broadcast is slowed to that
 * rate, and the last state always gets through. Each change is one small message to every joined
 * participant, so a talker costs the server O(meeting size) per interval at most.
 */
export const SPEAKING_MIN_INTERVAL_MS = 500;

export class SpeakingRelay {
  readonly #current = new Map<string, boolean>();
  readonly #lastSentAt = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deliver: (participantId: string, speaking: boolean) => void,
    private readonly intervalMs = SPEAKING_MIN_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  set(participantId: string, speaking: boolean): void {
    if ((this.#current.get(participantId) ?? false) === speaking && !this.#timers.has(participantId)) return;
    this.#current.set(participantId, speaking);
    if (this.#timers.has(participantId)) return; // the pending flush sends the latest state
    const wait = (this.#lastSentAt.get(participantId) ?? -Infinity) + this.intervalMs - this.now();
    if (wait <= 0) {
      this.#flush(participantId);
      return;
    }
    const timer = setTimeout(() => this.#flush(participantId), wait);
    timer.unref();
    this.#timers.set(participantId, timer);
  }

  /** The participant left: nothing more is sent about them. */
  forget(participantId: string): void {
    clearTimeout(this.#timers.get(participantId));
    this.#timers.delete(participantId);
    this.#current.delete(participantId);
    this.#lastSentAt.delete(participantId);
  }

  clear(): void {
    for (const id of [...this.#current.keys()]) this.forget(id);
  }

  #flush(participantId: string): void {
    this.#timers.delete(participantId);
    const speaking = this.#current.get(participantId);
    if (speaking === undefined) return;
    this.#lastSentAt.set(participantId, this.now());
    this.deliver(participantId, speaking);
  }
}
