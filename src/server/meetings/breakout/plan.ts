/**
 * The breakout plan of one meeting: its rooms, who is assigned to which, and its phase. Pure state: no
 * connections, no timers, no SFU (breakout-rooms.ts does those), so tests drive it alone.
 *
 * Phases and the inputs each accepts (anything else throws `invalid-state`):
 *   none     create                                           → draft
 *   draft    create (replaces it), assign, assignRandom, open  → draft | open;   discard → none
 *   open     assign, assignRandom, choose, startClosing        → open | closing
 *   closing  finish                                           → none
 * `forget(id)` (a person left the main meeting) is accepted in every phase.
 *
 * Entry rule (`mayEnter`): a host or co-host may visit any room; anyone else only the room they are
 * assigned to, or, when choosing is allowed, any room (which then becomes theirs: `choose`); and only
 * while the rooms are open.
 */
import type { BreakoutAssignment, BreakoutPhase } from '../../../protocol/index.ts';
import { ProtocolError } from '../../errors.ts';

export interface PlanOptions {
  allowChoice: boolean;
  allowReturn: boolean;
}

export class BreakoutPlan {
  #phase: BreakoutPhase = 'none';
  #rooms: string[] = [];
  #options: PlanOptions = { allowChoice: false, allowReturn: true };
  /** Participant id (of the main meeting) → room index. */
  readonly #assigned = new Map<string, number>();
  #endsAt: number | null = null;
  #closesAt: number | null = null;

  get phase(): BreakoutPhase {
    return this.#phase;
  }

  get rooms(): readonly string[] {
    return this.#rooms;
  }

  get options(): Readonly<PlanOptions> {
    return this.#options;
  }

  get endsAt(): number | null {
    return this.#endsAt;
  }

  get closesAt(): number | null {
    return this.#closesAt;
  }

  roomOf(participantId: string): number | null {
    return this.#assigned.get(participantId) ?? null;
  }

  /** Everyone assigned, in no particular order. */
  assignments(): BreakoutAssignment[] {
    return [...this.#assigned].map(([participantId, room]) => ({ participantId, room }));
  }

  /** People per room, by index. */
  counts(): number[] {
    const counts = this.#rooms.map(() => 0);
    for (const room of this.#assigned.values()) counts[room]! += 1;
    return counts;
  }

  create(rooms: readonly string[], options: PlanOptions): void {
    this.#require('none', 'draft');
    if (rooms.length === 0) throw new ProtocolError('bad-message', 'a plan needs at least one room');
    this.#phase = 'draft';
    this.#rooms = [...rooms];
    this.#options = { ...options };
    this.#assigned.clear();
  }

  discard(): void {
    this.#require('draft');
    this.#reset();
  }

  /** Puts people in rooms (room null: in none). Returns the assignments that changed. */
  assign(changes: readonly BreakoutAssignment[]): BreakoutAssignment[] {
    this.#require('draft', 'open');
    for (const { room } of changes) this.#checkRoom(room);
    const changed: BreakoutAssignment[] = [];
    for (const { participantId, room } of changes) {
      if (this.roomOf(participantId) === room) continue;
      if (room === null) this.#assigned.delete(participantId);
      else this.#assigned.set(participantId, room);
      changed.push({ participantId, room });
    }
    return changed;
  }

  /**
   * Spreads `unassigned` (the caller's list of people who may be placed) over the rooms so that room sizes
   * differ by at most one, counting those already assigned: each person, in random order, goes to one of
   * the emptiest rooms. `random(n)` returns an integer in [0, n). Returns the new assignments.
   */
  assignRandom(candidates: readonly string[], random: (n: number) => number): BreakoutAssignment[] {
    this.#require('draft', 'open');
    const people = candidates.filter((id) => !this.#assigned.has(id));
    // Fisher–Yates: the order people are placed in is random, so who ends up with whom is too.
    for (let i = people.length - 1; i > 0; i--) {
      const j = random(i + 1);
      [people[i], people[j]] = [people[j]!, people[i]!];
    }
    const counts = this.counts();
    const changes: BreakoutAssignment[] = [];
    for (const participantId of people) {
      const least = Math.min(...counts);
      const emptiest = counts.flatMap((n, room) => (n === least ? [room] : []));
      const room = emptiest[random(emptiest.length)]!;
      counts[room]! += 1;
      this.#assigned.set(participantId, room);
      changes.push({ participantId, room });
    }
    return changes;
  }

  /** A participant picks a room (choosing allowed, rooms open). Returns whether their room changed. */
  choose(participantId: string, room: number): boolean {
    this.#require('open');
    if (!this.#options.allowChoice) throw new ProtocolError('forbidden', 'choosing a room is not allowed');
    this.#checkRoom(room);
    if (this.roomOf(participantId) === room) return false;
    this.#assigned.set(participantId, room);
    return true;
  }

  open(now: number, minutes: number | null): void {
    this.#require('draft');
    this.#phase = 'open';
    this.#endsAt = minutes === null ? null : now + minutes * 60_000;
  }

  startClosing(now: number, seconds: number): void {
    this.#require('open');
    this.#phase = 'closing';
    this.#closesAt = now + seconds * 1000;
  }

  finish(): void {
    this.#require('closing');
    this.#reset();
  }

  /** Whether `participantId` may enter `room` now (see the header). */
  mayEnter(participantId: string, isHostish: boolean, room: number): boolean {
    if (this.#phase !== 'open' || room < 0 || room >= this.#rooms.length) return false;
    if (isHostish) return true;
    return this.roomOf(participantId) === room || this.#options.allowChoice;
  }

  /** The person left the main meeting: out of the plan. Returns whether they had a room. */
  forget(participantId: string): boolean {
    return this.#assigned.delete(participantId);
  }

  #checkRoom(room: number | null): void {
    if (room !== null && (room < 0 || room >= this.#rooms.length)) throw new ProtocolError('not-found', 'no such breakout room');
  }

  #require(...phases: BreakoutPhase[]): void {
    if (!phases.includes(this.#phase)) throw new ProtocolError('invalid-state', `breakout rooms are ${this.#phase === 'none' ? 'not set up' : this.#phase}`);
  }

  #reset(): void {
    this.#phase = 'none';
    this.#rooms = [];
    this.#assigned.clear();
    this.#endsAt = null;
    this.#closesAt = null;
  }
}
