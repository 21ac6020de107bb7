/**
 * The people of one meeting, by participant id: who is joined and who waits, who outranks whom, the checks
 * that a participant may act at all, and the ways to tell them things. Only joined participants hear about
 * the meeting (nobody in a waiting room learns anything about it), and only hosts and co-hosts hear about
 * the waiting room.
 */
import type { ParticipantInfo, ServerMessage, WaitingEntry } from '../../protocol/index.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import type { Participant } from './participant.ts';
import { waitingRoomChanges, type WaitingRoomChange } from './waiting-room-feed.ts';

/** People who started waiting, whose entry changed, or who no longer wait. */
export interface WaitingRoomUpdate {
  added?: Participant[];
  updated?: Participant[];
  removed?: Participant[];
}

export class Roster {
  readonly #people = new Map<string, Participant>();
  readonly #describe: (p: Participant) => ParticipantInfo;

  /** `describe`: how the others see a participant, which depends on the meeting's settings. */
  constructor(describe: (p: Participant) => ParticipantInfo) {
    this.#describe = describe;
  }

  get(id: string): Participant | undefined {
    return this.#people.get(id);
  }

  add(p: Participant): void {
    this.#people.set(p.id, p);
  }

  delete(p: Participant): void {
    this.#people.delete(p.id);
  }

  clear(): void {
    this.#people.clear();
  }

  /** Everyone, joined or waiting. */
  all(): IterableIterator<Participant> {
    return this.#people.values();
  }

  get size(): number {
    return this.#people.size;
  }

  /** Whether p is this meeting's current participant under its id (not a departed one holding the id). */
  isPresent(p: Participant): boolean {
    return this.#people.get(p.id) === p;
  }

  isJoined(p: Participant): boolean {
    return this.isPresent(p) && p.state === 'joined';
  }

  get joined(): Participant[] {
    return [...this.#people.values()].filter((p) => p.state === 'joined');
  }

  get waiting(): Participant[] {
    return [...this.#people.values()].filter((p) => p.state === 'waiting-room' || p.state === 'waiting-host');
  }

  /** Hosts and co-hosts in the meeting: they do not count towards the participant cap. */
  get hostCount(): number {
    return this.joined.filter((p) => p.isHostOrCohost).length;
  }

  get hostPresent(): boolean {
    return this.joined.some((p) => p.isHostOrCohost);
  }

  /** The joined (connected or reconnecting) participant with the role `host` who entered from this device. */
  hostOnDevice(deviceId: string): Participant | undefined {
    return this.joined.find((p) => p.role === 'host' && p.deviceId === deviceId);
  }

  /** Host, then co-hosts, then participants; within a role, the longest admitted first. */
  bySeniority(people: Participant[]): Participant[] {
    const rank = (o: Participant) => (o.role === 'host' ? 0 : o.role === 'cohost' ? 1 : 2);
    return [...people].sort((a, b) => rank(a) - rank(b) || a.admittedAt - b.admittedAt);
  }

  // -------------------------------------------------------------------------
  // Who may act
  // -------------------------------------------------------------------------

  requireJoined(p: Participant): void {
    if (!this.isJoined(p)) throw new ProtocolError('not-in-meeting', 'you are not in the meeting');
  }

  requireHostish(p: Participant): void {
    this.requireJoined(p);
    if (!p.isHostOrCohost) throw forbidden('only the host can do that');
  }

  /** The participant an action names: only someone in the meeting now. */
  joinedParticipant(id: string): Participant {
    const p = this.#people.get(id);
    if (!p || p.state !== 'joined') throw new ProtocolError('not-found', 'no such participant');
    return p;
  }

  // -------------------------------------------------------------------------
  // Telling them
  // -------------------------------------------------------------------------

  info(p: Participant): ParticipantInfo {
    return this.#describe(p);
  }

  announce(p: Participant): void {
    if (p.state === 'joined') this.broadcast({ type: 'participant-updated', participant: this.info(p) });
  }

  /** Sends to joined participants only: nobody in a waiting room learns anything about the meeting. */
  broadcast(message: ServerMessage, except?: Participant): void {
    for (const p of this.joined) if (p !== except) p.send(message);
  }

  /** Sends to the joined hosts and co-hosts, each its messages in order. */
  sendToHosts(...messages: ServerMessage[]): void {
    for (const p of this.joined) if (p.isHostOrCohost) for (const message of messages) p.send(message);
  }

  /** The waiting room as hosts see it (those still waiting for a host are listed to nobody). */
  waitingRoomEntries(): WaitingEntry[] {
    return this.waiting.filter((p) => p.state === 'waiting-room').map((p) => p.waitingEntry());
  }

  /** Tells hosts and co-hosts what changed in the waiting room: changes only, never the whole list. */
  waitingRoomChanged(change: WaitingRoomUpdate): void {
    const feed: WaitingRoomChange = {
      added: change.added?.map((p) => p.waitingEntry()),
      updated: change.updated?.map((p) => p.waitingEntry()),
      removed: change.removed?.map((p) => p.id),
    };
    const messages = waitingRoomChanges(feed);
    if (messages.length === 0) return;
    this.sendToHosts(...messages);
  }
}
