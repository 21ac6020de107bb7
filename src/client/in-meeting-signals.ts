/**
 * Raised hands and reactions as this browser sees them, built from opened in-meeting signals
 * (src/e2ee/session/signals.ts). It holds no connection: the Room feeds it through handle* methods and sends
 * what the person does; tests drive it alone.
 *
 * Inputs it accepts:
 *   handleSignal(message, roleOf)  an opened signal with its MLS-authenticated sender and the server's relay time;
 *                                  `roleOf` is the roster's answer (undefined: not in the meeting, ignored)
 *   handleOwnRaise(at) / handleOwnLower()  what this person did, once the server relayed it
 *   retain(ids)                    the people still in the meeting: hands of those who left go down
 *   clear()                        the meeting is over for us
 * Output: `hands` (the queue, in order), `hand-raised` (a fresh raise: hosts are told), `hand-lowered-by`
 * (someone's hand was lowered by a host), `reaction`, `refused` (a signal the sender may not send).
 *
 * Order: the server relays messages one at a time, so its relay time (`sentAt`) orders raises the same way
 * for everyone; ties keep arrival order. A hand re-announced for late joiners carries the time of its
 * original raise, never later than the re-announcement's own relay time (a raiser cannot jump ahead of
 * people who were already there, only mislead the newcomers about itself).
 */
import { Emitter } from '../events/emitter.ts';
import type { E2eeSignalMessage, Reaction } from '../e2ee/session/index.ts';
import type { Role } from '../protocol/index.ts';

export interface RaisedHand {
  readonly participantId: string;
  /** The server's relay time of the raise. */
  readonly at: number;
}

export interface InMeetingSignalEvents {
  hands: [hands: readonly RaisedHand[]];
  /** A hand raised just now (not a re-announced one): hosts get a notification. */
  'hand-raised': [participantId: string];
  /** A host or co-host lowered someone's hand (`by` lowered `of`; `of` null: everyone's). */
  'hand-lowered-by': [change: { by: string; of: string | null }];
  reaction: [reaction: { from: string; emoji: Reaction }];
  refused: [refusal: { from: string; kind: string }];
}

/** Per sender: a burst of REACTION_BURST reactions, then one every REACTION_INTERVAL_MS; the rest are dropped. */
export const REACTION_BURST = 3;
export const REACTION_INTERVAL_MS = 1_000;

/** A small token bucket per sender, used on both sides: before sending our own, and on receiving others'. */
export class ReactionLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly now: () => number = () => Date.now()) {}

  /** True if `sender` may react now (and counts it). */
  take(sender: string): boolean {
    const now = this.now();
    const bucket = this.#buckets.get(sender) ?? { tokens: REACTION_BURST, at: now };
    bucket.tokens = Math.min(REACTION_BURST, bucket.tokens + (now - bucket.at) / REACTION_INTERVAL_MS);
    bucket.at = now;
    this.#buckets.set(sender, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  forget(sender: string): void {
    this.#buckets.delete(sender);
  }
}

const mayModerate = (role: Role | undefined) => role === 'host' || role === 'cohost';

export class InMeetingSignals extends Emitter<InMeetingSignalEvents> {
  #hands: RaisedHand[] = [];
  readonly #reactions: ReactionLimiter;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.#reactions = new ReactionLimiter(options.now);
  }

  /** Raised hands, first raised first. */
  get hands(): readonly RaisedHand[] {
    return this.#hands;
  }

  isRaised(participantId: string): boolean {
    return this.#hands.some((h) => h.participantId === participantId);
  }

  /** 1-based place in the queue, or 0. */
  position(participantId: string): number {
    return this.#hands.findIndex((h) => h.participantId === participantId) + 1;
  }

  raiseTime(participantId: string): number | undefined {
    return this.#hands.find((h) => h.participantId === participantId)?.at;
  }

  handleSignal(message: E2eeSignalMessage, roleOf: (participantId: string) => Role | undefined): void {
    const { from, signal, sentAt } = message;
    const role = roleOf(from);
    if (role === undefined) return; // not (or no longer) in the meeting
    switch (signal.kind) {
      case 'hand-raised':
        if (this.#raise(from, Math.min(signal.at ?? sentAt, sentAt)) && signal.at === undefined) this.emit('hand-raised', from);
        return;
      case 'hand-lowered':
        this.#lower(from);
        return;
      case 'lower-hand':
        if (!mayModerate(role)) return this.emit('refused', { from, kind: signal.kind });
        if (this.#lower(signal.of)) this.emit('hand-lowered-by', { by: from, of: signal.of });
        return;
      case 'lower-all-hands':
        if (!mayModerate(role)) return this.emit('refused', { from, kind: signal.kind });
        if (this.#hands.length > 0) {
          this.#setHands([]);
          this.emit('hand-lowered-by', { by: from, of: null });
        }
        return;
      case 'reaction':
        if (this.#reactions.take(from)) this.emit('reaction', { from, emoji: signal.emoji });
        return;
    }
  }

  /** Our own raise, placed at the server's relay time of the message that carried it. */
  handleOwnRaise(selfId: string, at: number): void {
    this.#raise(selfId, at);
  }

  handleOwnLower(selfId: string): void {
    this.#lower(selfId);
  }

  /** Our own "lower all" or "lower X" as a host: done here at once (our own echo cannot be opened). */
  handleOwnModeration(of: string | null): void {
    if (of === null) this.#setHands([]);
    else this.#lower(of);
  }

  /** Hands of people no longer in the meeting go down. */
  retain(participantIds: ReadonlySet<string>): void {
    const kept = this.#hands.filter((h) => participantIds.has(h.participantId));
    if (kept.length !== this.#hands.length) this.#setHands(kept);
  }

  clear(): void {
    if (this.#hands.length > 0) this.#setHands([]);
  }

  #raise(participantId: string, at: number): boolean {
    if (this.isRaised(participantId)) return false;
    const hands = [...this.#hands];
    // After every hand raised at the same time or earlier: equal times keep arrival order.
    let index = hands.length;
    while (index > 0 && hands[index - 1]!.at > at) index--;
    hands.splice(index, 0, { participantId, at });
    this.#setHands(hands);
    return true;
  }

  #lower(participantId: string): boolean {
    if (!this.isRaised(participantId)) return false;
    this.#setHands(this.#hands.filter((h) => h.participantId !== participantId));
    return true;
  }

  #setHands(hands: RaisedHand[]): void {
    this.#hands = hands;
    this.emit('hands', hands);
  }
}
