/**
 * Chat and in-meeting signals: who may write, to whom, and in what form. The server only relays; once the
 * meeting has an MLS group it relays ciphertext alone.
 */
import type { ChatBody, MeetingSettings, ServerMessage } from '../../protocol/index.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import type { MlsDelivery } from './mls-delivery.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';

export class ChatRelay {
  readonly #roster: Roster;
  readonly #settings: () => MeetingSettings;
  readonly #mls: Pick<MlsDelivery, 'groupExists'>;

  constructor(roster: Roster, settings: () => MeetingSettings, mls: Pick<MlsDelivery, 'groupExists'>) {
    this.#roster = roster;
    this.#settings = settings;
    this.#mls = mls;
  }

  chat(p: Participant, to: string | undefined, body: ChatBody): void {
    this.#roster.requireJoined(p);
    const settings = this.#settings();
    const mode = settings.chat;
    if (mode === 'off') throw forbidden('chat is turned off');
    if (mode === 'host-only' && !p.isHostOrCohost) throw forbidden('only the host can write in the chat');
    // Once the meeting has an MLS group, chat is end-to-end encrypted: the server relays no plaintext.
    if (body.kind === 'text' && this.#mls.groupExists) throw forbidden('chat must be end-to-end encrypted in this meeting');
    const message: ServerMessage = { type: 'chat', from: p.id, fromName: p.name, body, sentAt: Date.now(), ...(to ? { to } : {}) };
    if (to === undefined) {
      this.#roster.broadcast(message);
      return;
    }
    const recipient = this.#roster.joinedParticipant(to);
    if (!settings.privateChat && !p.isHostOrCohost && !recipient.isHostOrCohost) throw forbidden('private messages are turned off');
    if (recipient === p) throw new ProtocolError('invalid-state', 'cannot message oneself');
    recipient.send(message);
    p.send(message);
  }

  /**
   * Relays a sealed in-meeting signal (raise hand, reaction) to every joined participant, the sender included
   * (its echo tells it the relay time). Not chat: the chat mode does not apply, so a class with chat off can
   * still raise hands. Only ciphertext exists, so only once the meeting has an MLS group; the server cannot read
   * it, and its own rate limit (rate-limits.ts) bounds the fan-out.
   */
  signal(p: Participant, data: string): void {
    this.#roster.requireJoined(p);
    if (!this.#mls.groupExists) throw forbidden('signals need the end-to-end encrypted group: there is none yet');
    this.#roster.broadcast({ type: 'signal', from: p.id, data, sentAt: Date.now() });
  }
}
