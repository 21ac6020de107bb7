/**
 * Breakout rooms of one meeting: the host's requests (create, assign, open, close), tickets into the rooms,
 * and what everyone is told. The plan (plan.ts) decides what is allowed; the child rooms (child-rooms.ts) are
 * the child meetings; tickets (tickets.ts) are the only way in.
 *
 * Inputs it accepts (each checked against the plan's phase, and the actor's role):
 *   create / assign / assignRandom / open / close   hosts and co-hosts of the main meeting (close drops a draft)
 *   join(actor, room)        anyone joined: a ticket to their room, any room for hosts, or a chosen room
 *   redeem(roomId, ticket)   a fresh connection enters a room (registry.ts)
 *   participantGone(p)       p left the main meeting: out of the plan and of any room
 *   sendState(p)             p was shown the meeting (joined, resumed, role changed): the plan as p may see it
 *   end()                    the main meeting ended: the rooms end too
 * What it sends, on the main meeting's connections: `breakout-state` (everyone: rooms, rules, timers and their
 * own room; never anyone else's), `breakout-assignments` (hosts and co-hosts: the whole plan or its changes),
 * and `breakout-ticket` (one person). Each is one message to each recipient per request, bounded by the plan's
 * size (at most MAX_BREAKOUT_ROOMS names) or, for hosts, the meeting's size.
 *
 * The server sees who is assigned to, and who is in, which room; what is said in a room is sealed for that
 * room's MLS group, which the server never holds (docs/threat-model.md, "Breakout rooms").
 */
import type { BreakoutAssignment, ServerMessage } from '../../../protocol/index.ts';
import type { Logger } from '../../../log/logger.ts';
import { randomInt } from 'node:crypto';
import { ProtocolError, forbidden } from '../../errors.ts';
import { secretsEqual } from '../../security/random.ts';
import type { Meeting } from '../meeting.ts';
import type { MessageSink, Participant } from '../participant.ts';
import type { Roster } from '../roster.ts';
import { ChildRooms, type ChildFactory } from './child-rooms.ts';
import { BreakoutPlan, type PlanOptions } from './plan.ts';
import { BreakoutTickets } from './tickets.ts';

/** The countdown when the timer set at opening runs out (a host's close names its own). */
export const TIMER_COUNTDOWN_SECONDS = 30;

export interface BreakoutDeps {
  readonly roster: Roster;
  readonly log: Logger;
  readonly meetingId: string;
  readonly createChild: ChildFactory;
  /** False in a breakout room itself: no rooms inside rooms. */
  enabled(): boolean;
  readonly now?: () => number;
  readonly random?: (n: number) => number;
}

export class BreakoutRooms {
  readonly plan = new BreakoutPlan();
  readonly #tickets: BreakoutTickets;
  readonly #children: ChildRooms;
  readonly #deps: BreakoutDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: BreakoutDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#tickets = new BreakoutTickets(this.#now);
    this.#children = new ChildRooms(deps.createChild);
  }

  /** The child meeting of an open room, by id (tests; never reachable from a client). */
  room(roomId: string): Meeting | undefined {
    return this.#children.find(roomId);
  }

  /** The id of open room `index` (tests, and operators' tools). */
  roomIdOf(index: number): string | undefined {
    return this.#children.idOf(index);
  }

  create(actor: Participant, rooms: readonly string[], options: PlanOptions): void {
    this.#requireHost(actor);
    this.plan.create(rooms, options);
    this.#broadcastState();
    this.#deps.roster.sendToHosts({ type: 'breakout-assignments', assignments: [], replace: true });
  }

  assign(actor: Participant, changes: readonly BreakoutAssignment[]): void {
    this.#requireHost(actor);
    for (const { participantId } of changes) this.#deps.roster.joinedParticipant(participantId);
    this.#applied(this.plan.assign(changes));
  }

  assignRandom(actor: Participant): void {
    this.#requireHost(actor);
    const candidates = this.#deps.roster.joined.filter((p) => !p.isHostOrCohost).map((p) => p.id);
    this.#applied(this.plan.assignRandom(candidates, this.#deps.random ?? randomInt));
  }

  open(actor: Participant, minutes: number | null): void {
    this.#requireHost(actor);
    this.plan.open(this.#now(), minutes);
    this.#children.openAll(this.plan.rooms, (id) => id === this.#deps.meetingId);
    if (this.plan.endsAt !== null) this.#schedule(this.plan.endsAt, () => this.#startClosing(TIMER_COUNTDOWN_SECONDS));
    this.#deps.log.info('breakout rooms opened', { meeting: this.#deps.meetingId, rooms: this.plan.rooms.length });
    this.#broadcastState();
    for (const { participantId, room } of this.plan.assignments()) this.#sendTicket(participantId, room!);
  }

  /** Open rooms close after the countdown; a draft that was never opened is simply dropped. */
  close(actor: Participant, countdownSeconds: number): void {
    this.#requireHost(actor);
    if (this.plan.phase === 'draft') {
      this.plan.discard();
      this.#broadcastState();
      return;
    }
    this.#startClosing(countdownSeconds);
  }

  /** A ticket to `room` for the actor, sent as `breakout-ticket` before the request's `ok`. */
  join(actor: Participant, room: number): void {
    this.#requireJoined(actor);
    if (this.plan.phase !== 'open') throw new ProtocolError('invalid-state', 'breakout rooms are not open');
    if (room >= this.plan.rooms.length) throw new ProtocolError('not-found', 'no such breakout room');
    if (!actor.isHostOrCohost && this.plan.roomOf(actor.id) !== room) {
      if (!this.plan.options.allowChoice) throw forbidden('you are not assigned to that room');
      this.plan.choose(actor.id, room);
      this.#deps.roster.sendToHosts({ type: 'breakout-assignments', assignments: [{ participantId: actor.id, room }], replace: false });
      actor.send(this.#stateFor(actor));
    }
    this.#sendTicket(actor.id, room);
  }

  /**
   * Enters a room with a ticket, from the device its holder entered the main meeting from; undefined when the
   * ticket, the device or the person does not qualify. Any use spends the ticket (its holder may ask again).
   */
  redeem(roomId: string, ticket: string, deviceId: string, sink: MessageSink): { meeting: Meeting; participant: Participant } | undefined {
    const grant = this.#tickets.redeem(ticket, roomId);
    if (grant === undefined) return undefined;
    const main = this.#deps.roster.get(grant.participantId);
    if (main === undefined || !this.#deps.roster.isJoined(main) || !secretsEqual(deviceId, main.deviceId)) return undefined;
    if (!this.plan.mayEnter(main.id, main.isHostOrCohost, grant.room) || this.#children.idOf(grant.room) !== roomId) return undefined;
    return this.#children.enter(grant.room, main, sink);
  }

  participantGone(p: Participant): void {
    this.#tickets.revoke(p.id);
    this.#children.takeOut(p.id, 'left');
    if (this.plan.forget(p.id)) this.#deps.roster.sendToHosts({ type: 'breakout-assignments', assignments: [{ participantId: p.id, room: null }], replace: false });
  }

  sendState(p: Participant): void {
    if (this.plan.phase === 'none') return;
    p.send(this.#stateFor(p));
    if (p.isHostOrCohost) p.send({ type: 'breakout-assignments', assignments: this.plan.assignments(), replace: true });
    // Someone assigned who is in no room (their connection was down when the rooms opened) gets their ticket now.
    const room = this.plan.roomOf(p.id);
    if (this.plan.phase === 'open' && room !== null && this.#children.roomOf(p.id) === null) this.#sendTicket(p.id, room);
  }

  end(): void {
    clearTimeout(this.#timer);
    this.#tickets.clear();
    this.#children.closeAll();
  }

  #requireJoined(actor: Participant): void {
    if (!this.#deps.enabled()) throw forbidden('there are no breakout rooms inside a breakout room');
    this.#deps.roster.requireJoined(actor);
  }

  #requireHost(actor: Participant): void {
    this.#requireJoined(actor);
    this.#deps.roster.requireHostish(actor);
  }

  /** Tells hosts what changed, and each person moved their new room (and, rooms open, a ticket to it). */
  #applied(changes: readonly BreakoutAssignment[]): void {
    if (changes.length === 0) return;
    this.#deps.roster.sendToHosts({ type: 'breakout-assignments', assignments: [...changes], replace: false });
    for (const { participantId, room } of changes) {
      const p = this.#deps.roster.get(participantId);
      if (p === undefined) continue;
      p.send(this.#stateFor(p));
      if (this.plan.phase !== 'open') continue;
      if (room === null) {
        this.#tickets.revoke(participantId);
        this.#children.takeOut(participantId, 'left');
      } else {
        this.#sendTicket(participantId, room);
      }
    }
  }

  /** A ticket for a person whose room it is; whoever is in another room is taken out of it. */
  #sendTicket(participantId: string, room: number): void {
    const p = this.#deps.roster.get(participantId);
    const roomId = this.#children.idOf(room);
    if (p === undefined || p.state !== 'joined' || roomId === undefined) return;
    const ticket = this.#tickets.issue(participantId, room, roomId);
    p.send({ type: 'breakout-ticket', room, roomId, ticket });
    const current = this.#children.roomOf(participantId);
    if (current !== null && current !== room && !p.isHostOrCohost) this.#children.takeOut(participantId, 'left');
  }

  #startClosing(countdownSeconds: number): void {
    this.plan.startClosing(this.#now(), countdownSeconds);
    this.#tickets.clear();
    this.#broadcastState();
    this.#schedule(this.plan.closesAt!, () => this.#finish());
  }

  #finish(): void {
    this.#children.closeAll();
    this.plan.finish();
    this.#deps.log.info('breakout rooms closed', { meeting: this.#deps.meetingId });
    this.#broadcastState();
  }

  #schedule(at: number, action: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(action, Math.max(0, at - this.#now()));
    this.#timer.unref();
  }

  #broadcastState(): void {
    for (const p of this.#deps.roster.joined) p.send(this.#stateFor(p));
  }

  #stateFor(p: Participant): ServerMessage {
    const { plan } = this;
    return {
      type: 'breakout-state',
      phase: plan.phase,
      rooms: [...plan.rooms],
      allowChoice: plan.options.allowChoice,
      allowReturn: plan.options.allowReturn,
      endsAt: plan.endsAt,
      closesAt: plan.closesAt,
      yourRoom: plan.roomOf(p.id),
    };
  }
}
