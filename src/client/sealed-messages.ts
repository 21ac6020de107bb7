/**
 * What we say to the meeting sealed for its MLS group: chat messages, raised hands and reactions (`signal`:
 * src/e2ee/session/signals.ts). What others send is opened by the E2EE layer, which hands it to RoomState
 * (chat) and InMeetingSignals (hands, reactions); this side seals, sends and keeps our own view in step.
 */
import type { ServerMessageOf } from '../protocol/index.ts';
import type { Reaction, Signal } from '../e2ee/session/index.ts';
import { Emitter } from '../events/emitter.ts';
import type { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import { ReactionLimiter, type InMeetingSignals } from './in-meeting-signals.ts';
import { refusalReason, type RoomNotice } from './room-types.ts';
import type { RoomState } from './room-state.ts';
import { SignallingError, type SignallingClient } from './signalling-client.ts';

export interface SealedMessagesEvents {
  notice: [notice: Extract<RoomNotice, { kind: 'chat-refused' }>];
}

export interface SealedMessagesOptions {
  signalling: SignallingClient;
  /** The meeting's end-to-end encryption; null before `join`. */
  encryption: () => MeetingEncryption | null;
  state: RoomState;
  signals: InMeetingSignals;
}

export class SealedMessages extends Emitter<SealedMessagesEvents> {
  readonly #options: SealedMessagesOptions;
  /** Our own sealed signals on their way, by ciphertext: the server's echo gives each its relay time. */
  readonly #ownSignalEchoes = new Map<string, number | null>();
  readonly #ownReactions = new ReactionLimiter();

  constructor(options: SealedMessagesOptions) {
    super();
    this.#options = options;
  }

  /** Sends a chat message sealed for the MLS group; it shows at once (the server's echo is dropped). */
  async sendChat(text: string, to?: string): Promise<void> {
    const { state, signalling } = this.#options;
    const local = state.handleOwnChat(text, to);
    try {
      const body = await this.#encryption().encryptChat(text, to);
      await signalling.request({ type: 'chat', ...(to ? { to } : {}), body });
    } catch (err) {
      if (local) state.handleOwnChatFailed(local);
      this.emit('notice', { kind: 'chat-refused', reason: refusalReason(err) });
    }
  }

  /** Raises our hand; it takes its place in everyone's queue at the time the server relays it. */
  async raiseHand(): Promise<void> {
    const { state, signals } = this.#options;
    const self = state.selfId;
    if (!self || signals.isRaised(self)) return;
    const at = await this.#sendSignal({ kind: 'hand-raised' });
    if (state.selfId === self) signals.handleOwnRaise(self, at);
  }

  async lowerHand(): Promise<void> {
    const { state, signals } = this.#options;
    const self = state.selfId;
    if (!self || !signals.isRaised(self)) return;
    signals.handleOwnLower(self);
    await this.#sendSignal({ kind: 'hand-lowered' });
  }

  /** Host or co-host: lowers someone else's hand (`null`: everyone's). Others accept it only from a host. */
  async lowerHandsOf(participantId: string | null): Promise<void> {
    if (!this.#options.state.isHost) throw new SignallingError('forbidden', 'only hosts lower other people’s hands');
    this.#options.signals.handleOwnModeration(participantId);
    await this.#sendSignal(participantId === null ? { kind: 'lower-all-hands' } : { kind: 'lower-hand', of: participantId });
  }

  /** Sends a reaction to everyone; false when we sent too many just now (the same limit every receiver applies). */
  async react(emoji: Reaction): Promise<boolean> {
    const self = this.#options.state.selfId;
    if (!self || !this.#ownReactions.take(self)) return false;
    await this.#sendSignal({ kind: 'reaction', emoji });
    return true;
  }

  /** A member we had not seen joined the group: our raised hand is announced again for them (docs/e2ee-mls.md). */
  reannounceHand(): void {
    const self = this.#options.state.selfId;
    const at = self ? this.#options.signals.raiseTime(self) : undefined;
    if (at === undefined) return;
    void this.#sendSignal({ kind: 'hand-raised', at }).catch(() => undefined);
  }

  /** A `signal` the server relayed: our own echo gives our signal its relay time (others' the E2EE layer opens). */
  handleRelayed(message: ServerMessageOf<'signal'>): void {
    if (message.from === this.#options.state.selfId && this.#ownSignalEchoes.has(message.data)) this.#ownSignalEchoes.set(message.data, message.sentAt);
  }

  /**
   * Seals a signal and sends it as `signal` (whatever the chat mode: raising a hand works with chat off);
   * resolves with the server's relay time, from our own echo, which the server sends before its `ok`.
   */
  async #sendSignal(signal: Signal): Promise<number> {
    const message = await this.#encryption().encryptSignal(signal);
    this.#ownSignalEchoes.set(message.data, null);
    try {
      await this.#options.signalling.request(message);
      return this.#ownSignalEchoes.get(message.data) ?? Date.now();
    } finally {
      this.#ownSignalEchoes.delete(message.data);
    }
  }

  #encryption(): MeetingEncryption {
    const encryption = this.#options.encryption();
    if (!encryption) throw new SignallingError('closed', 'not in a meeting');
    return encryption;
  }
}
