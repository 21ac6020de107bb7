/**
 * Single-use tickets into breakout rooms. A ticket is 256 bits from the CSPRNG, bound to one participant of
 * the main meeting and one room, and good for TICKET_TTL_MS. Redeeming it removes it, so a ticket works once;
 * a new ticket for the same person replaces the old one (one live ticket a person), and closing the rooms
 * drops them all. The ticket is the only secret: the room id is not one (it is also told with the ticket).
 *
 * Lookups are by the whole ticket in a Map, as for resume tokens (registry.ts): a guess must hit 256 bits.
 */
import { newSecret } from '../../security/random.ts';

/** Long enough for a browser to open a second connection on a slow network; short enough not to linger. */
export const TICKET_TTL_MS = 60_000;

export interface TicketGrant {
  /** The participant of the main meeting the ticket was given to. */
  participantId: string;
  room: number;
  roomId: string;
  expiresAt: number;
}

export class BreakoutTickets {
  readonly #byTicket = new Map<string, TicketGrant>();
  readonly #byParticipant = new Map<string, string>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  get size(): number {
    return this.#byTicket.size;
  }

  issue(participantId: string, room: number, roomId: string): string {
    this.revoke(participantId);
    const ticket = newSecret();
    this.#byTicket.set(ticket, { participantId, room, roomId, expiresAt: this.#now() + TICKET_TTL_MS });
    this.#byParticipant.set(participantId, ticket);
    return ticket;
  }

  /** The grant of a live ticket for `roomId`, consumed; undefined for anything else (unknown, used, expired, other room). */
  redeem(ticket: string, roomId: string): TicketGrant | undefined {
    const grant = this.#byTicket.get(ticket);
    if (grant === undefined) return undefined;
    // A ticket shown for the wrong room is spent too: whoever holds it is not following the protocol.
    this.#byTicket.delete(ticket);
    this.#byParticipant.delete(grant.participantId);
    if (grant.roomId !== roomId || grant.expiresAt < this.#now()) return undefined;
    return grant;
  }

  revoke(participantId: string): void {
    const ticket = this.#byParticipant.get(participantId);
    if (ticket === undefined) return;
    this.#byTicket.delete(ticket);
    this.#byParticipant.delete(participantId);
  }

  clear(): void {
    this.#byTicket.clear();
    this.#byParticipant.clear();
  }
}
