/**
 * The breakout plan as this browser is told it (docs/protocol.md 4.8): the rooms' names and rules, the timers,
 * our own room, and, for hosts and co-hosts, who is assigned to which room. It holds no connection: the
 * Breakout controller feeds it the server's messages through `handle`, and tests drive it alone.
 *
 * Inputs: `breakout-state` (replaces the plan), `breakout-assignments` (hosts: the whole plan or changes).
 * Output: `changed` after each.
 */
import type { BreakoutPhase, ServerMessageOf } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';

export interface BreakoutPlanState {
  readonly phase: BreakoutPhase;
  readonly rooms: readonly string[];
  readonly allowChoice: boolean;
  readonly allowReturn: boolean;
  /** Server time at which the rooms' timer runs out, or null. */
  readonly endsAt: number | null;
  /** Server time at which the rooms close, once closing began; null otherwise. */
  readonly closesAt: number | null;
  /** Our own room in the plan, or null. */
  readonly yourRoom: number | null;
}

export const NO_PLAN: BreakoutPlanState = Object.freeze({ phase: 'none', rooms: [], allowChoice: false, allowReturn: true, endsAt: null, closesAt: null, yourRoom: null });

export interface BreakoutPlanViewEvents {
  changed: [];
}

export class BreakoutPlanView extends Emitter<BreakoutPlanViewEvents> {
  #state: BreakoutPlanState = NO_PLAN;
  /** Hosts and co-hosts only: main-meeting participant id → room. */
  readonly #assigned = new Map<string, number>();

  get state(): BreakoutPlanState {
    return this.#state;
  }

  /** The room a participant is assigned to (known to hosts and co-hosts only), or null. */
  roomOf(participantId: string): number | null {
    return this.#assigned.get(participantId) ?? null;
  }

  /** Participant ids per room, by index (hosts and co-hosts). */
  members(): string[][] {
    const rooms: string[][] = this.#state.rooms.map(() => []);
    for (const [id, room] of this.#assigned) rooms[room]?.push(id);
    return rooms;
  }

  handle(message: ServerMessageOf<'breakout-state' | 'breakout-assignments'>): void {
    if (message.type === 'breakout-state') {
      const { phase, rooms, allowChoice, allowReturn, endsAt, closesAt, yourRoom } = message;
      this.#state = { phase, rooms, allowChoice, allowReturn, endsAt, closesAt, yourRoom };
      if (phase === 'none') this.#assigned.clear();
    } else {
      if (message.replace) this.#assigned.clear();
      for (const { participantId, room } of message.assignments) {
        if (room === null) this.#assigned.delete(participantId);
        else this.#assigned.set(participantId, room);
      }
    }
    this.emit('changed');
  }

  /** People who left the meeting are out of the plan (the server said so to hosts too; this keeps the view tidy). */
  retain(present: ReadonlySet<string>): void {
    let changed = false;
    for (const id of [...this.#assigned.keys()]) if (!present.has(id)) changed = this.#assigned.delete(id) || changed;
    if (changed) this.emit('changed');
  }

  clear(): void {
    this.#state = NO_PLAN;
    this.#assigned.clear();
    this.emit('changed');
  }
}
