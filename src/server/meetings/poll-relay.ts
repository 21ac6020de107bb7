/**
 * Polls: the server relays sealed poll messages (src/e2ee/session/polls.ts) it cannot read, and enforces what
 * it can see of who talks to whom, so that a `poll` message can never be used to say more, or to more people,
 * than a poll needs:
 *   - for everyone (no `to`): only a host or co-host (opening, closing, sharing results); relayed to every
 *     other joined participant, so one message costs the server at most one copy per person;
 *   - for one person (`to`): an answer to a poll's owner, or an owner re-sending an open poll to someone who
 *     joined later. One side must be a host or co-host, the same rule as private chat with private messages
 *     off: two participants cannot use polls as a private channel. The recipient must be in the meeting now;
 *     only that recipient gets it, so nobody learns anybody else's answer (the server sees who sent to whom).
 * Only ciphertext exists, so nothing is relayed before the meeting has an MLS group. The `poll` rate limit
 * (src/server/signalling/rate-limits.ts) and the size of `data` bound what one sender makes the server send.
 */
import { ProtocolError, forbidden } from '../errors.ts';
import type { MlsDelivery } from './mls-delivery.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';

export class PollRelay {
  readonly #roster: Roster;
  readonly #mls: Pick<MlsDelivery, 'groupExists'>;

  constructor(roster: Roster, mls: Pick<MlsDelivery, 'groupExists'>) {
    this.#roster = roster;
    this.#mls = mls;
  }

  poll(p: Participant, to: string | undefined, data: string): void {
    this.#roster.requireJoined(p);
    if (!this.#mls.groupExists) throw forbidden('polls need the end-to-end encrypted group: there is none yet');
    const sentAt = Date.now();
    if (to === undefined) {
      if (!p.isHostOrCohost) throw forbidden('only hosts and co-hosts send a poll to everyone');
      this.#roster.broadcast({ type: 'poll', from: p.id, data, sentAt }, p);
      return;
    }
    const recipient = this.#roster.joinedParticipant(to);
    if (recipient === p) throw new ProtocolError('invalid-state', 'cannot send a poll message to oneself');
    if (!p.isHostOrCohost && !recipient.isHostOrCohost) throw forbidden('poll answers go to a host or co-host');
    recipient.send({ type: 'poll', from: p.id, to, data, sentAt });
  }
}
