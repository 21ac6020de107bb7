/**
 * Who talks and who talked lately, as the server relays the SFU's voice activity (`speaking`).
 * It decides whose microphones a browser receives in a meeting with more unmuted people than
 * audio slots: the ones talking now, then the most recent talkers.
 */
import { Emitter } from '../../events/emitter.ts';

export type SpeakerHistoryEvents = {
  changed: [];
};

export class SpeakerHistory extends Emitter<SpeakerHistoryEvents> {
  readonly #speaking = new Set<string>();
  readonly #lastSpokeAt = new Map<string, number>();
  #clock = 0;

  handleSpeaking(participantId: string, speaking: boolean): void {
    const was = this.#speaking.has(participantId);
    if (speaking) this.#speaking.add(participantId);
    else this.#speaking.delete(participantId);
    // A logical clock, not wall time: only the order matters.
    this.#lastSpokeAt.set(participantId, ++this.#clock);
    if (was !== speaking) this.emit('changed');
  }

  forget(participantId: string): void {
    this.#speaking.delete(participantId);
    this.#lastSpokeAt.delete(participantId);
  }

  clear(): void {
    this.#speaking.clear();
    this.#lastSpokeAt.clear();
  }

  /** Talking now first, then by how recently they talked, then the rest in the given order. */
  rank(participantIds: readonly string[]): string[] {
    const score = (id: string) => (this.#speaking.has(id) ? 2 : 0) * 1e12 + (this.#lastSpokeAt.get(id) ?? 0);
    return participantIds
      .map((id, i) => ({ id, i, s: score(id) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((e) => e.id);
  }
}
