/**
 * Breakout rooms as this browser takes part in them (docs/protocol.md 4.8, docs/e2ee-mls.md "Breakout rooms").
 * A breakout room is a meeting of its own on the server, with its own MLS group and SFU room; here it is a
 * second Room, joined with a single-use ticket the server sends over the main meeting's connection. While we
 * are in a room the main Room keeps its connection and MLS membership (returning is instant and the main
 * group's security code never changes) but sends and receives no media (`Room.pauseMedia`).
 *
 * Inputs: the main Room's `breakout-state`, `breakout-assignments` and `breakout-ticket` messages, and its
 * opened in-meeting signals (a host's broadcast); the breakout Room's connection state.
 * Outputs: `room` (we are in a breakout room's Room now, or back: null), `broadcast` (a host's message to all
 * rooms), `notice`; the plan itself is `plan` (breakout-plan-view.ts).
 *
 * A ticket is followed at once: it is the server's answer to our own request (a visit, a room chosen) or the
 * host opening the rooms or moving us. Entering one room leaves any other first.
 */
import type { BreakoutAssignment, ServerMessage, ServerMessageOf } from '../../protocol/index.ts';
import type { E2eeSignalMessage } from '../../e2ee/session/index.ts';
import { Emitter } from '../../events/emitter.ts';
import type { JoinOptions } from '../join-request.ts';
import type { Room } from '../room.ts';
import { BreakoutPlanView } from './breakout-plan-view.ts';

export type BreakoutNotice =
  /** We were given a room and are on our way into it (opened, moved, or our own request). */
  | { kind: 'entering'; room: number }
  /** The room could not be entered (the ticket was refused or the connection failed). */
  | { kind: 'enter-failed'; room: number }
  /** The rooms close at `closesAt` (server time): everyone returns to the main room then. */
  | { kind: 'closing'; closesAt: number };

export interface BreakoutEvents {
  /** We are in breakout room `index` (its Room is joined), or back in the main room (null). */
  room: [room: Room | null, index: number | null];
  /** A host's or co-host's message to every room (it arrives in the main meeting, sealed for its group). */
  broadcast: [message: { from: string; text: string }];
  notice: [notice: BreakoutNotice];
}

export interface BreakoutOptions {
  readonly main: Room;
  /** A new Room for a breakout room: the main Room's options, its camera and microphone shared. */
  readonly createRoom: () => Room;
  /** How the main Room joined (its meeting id and our device id); null before `join`. */
  readonly joinOptions: () => JoinOptions | null;
}

interface CurrentRoom {
  readonly room: Room;
  readonly index: number;
  readonly roomId: string;
}

export class Breakout extends Emitter<BreakoutEvents> {
  readonly plan = new BreakoutPlanView();
  readonly #options: BreakoutOptions;
  #current: CurrentRoom | null = null;
  readonly #unbind: (() => void)[] = [];

  constructor(options: BreakoutOptions) {
    super();
    this.#options = options;
    const { main } = options;
    this.#unbind.push(
      main.signalling.on('message', (m) => this.#onMessage(m)),
      main.on('encryption', (encryption) => this.#unbind.push(encryption.on('signal', (m) => this.#onSignal(m)))),
      main.state.on('participant-left', () => this.plan.retain(new Set(main.state.participants.keys()))),
    );
  }

  /** The breakout room's Room we are in, joined or on its way; null in the main room. */
  get room(): Room | null {
    return this.#current?.room ?? null;
  }

  get roomIndex(): number | null {
    return this.#current?.index ?? null;
  }

  // Hosts and co-hosts (the server refuses anyone else) -------------------------------------------------

  create(rooms: readonly string[], options: { allowChoice: boolean; allowReturn: boolean }): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-create', rooms: [...rooms], ...options });
  }

  assign(assignments: readonly BreakoutAssignment[]): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-assign', assignments: [...assignments] });
  }

  assignRandom(): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-assign-random' });
  }

  open(minutes: number | null): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-open', minutes });
  }

  close(countdownSeconds = 30): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-close', countdownSeconds });
  }

  /** Sends a message to everyone in every room, sealed for the main meeting's MLS group. */
  async broadcast(text: string): Promise<void> {
    const { main } = this.#options;
    if (!main.encryption || !main.state.selfId) throw new Error('not in a meeting');
    const message = await main.encryption.encryptSignal({ kind: 'breakout-broadcast', text });
    await main.signalling.request(message);
    // Our own echo is not opened (the session drops it): show ours here.
    this.emit('broadcast', { from: main.state.selfId, text });
  }

  // Everyone ------------------------------------------------------------------------------------------

  /** Asks for a ticket to `room`: our own room, any room when choosing is allowed, any room for hosts (a visit). */
  join(room: number): Promise<unknown> {
    return this.#options.main.signalling.request({ type: 'breakout-join', room });
  }

  /** Leaves the breakout room for the main room (the host may have allowed it; the server never stops it). */
  async returnToMain(): Promise<void> {
    await this.#current?.room.leave();
  }

  /** The main meeting is over for us: out of any room too. */
  dispose(): void {
    for (const off of this.#unbind.splice(0)) off();
    const current = this.#current;
    this.#current = null;
    void current?.room.leave();
    this.plan.clear();
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'breakout-state': {
        const wasClosing = this.plan.state.phase === 'closing';
        this.plan.handle(message);
        if (message.phase === 'closing' && !wasClosing && message.closesAt !== null) this.emit('notice', { kind: 'closing', closesAt: message.closesAt });
        return;
      }
      case 'breakout-assignments':
        this.plan.handle(message);
        return;
      case 'breakout-ticket':
        void this.#enter(message);
        return;
    }
  }

  #onSignal({ from, signal }: E2eeSignalMessage): void {
    if (signal.kind !== 'breakout-broadcast') return;
    const role = this.#options.main.state.participants.get(from)?.role;
    if (role !== 'host' && role !== 'cohost') return; // only hosts and co-hosts speak to every room
    this.emit('broadcast', { from, text: signal.text });
  }

  async #enter(ticket: ServerMessageOf<'breakout-ticket'>): Promise<void> {
    const { main } = this.#options;
    const join = this.#options.joinOptions();
    if (join === null || this.#current?.roomId === ticket.roomId) return;
    const previous = this.#current;
    const room = this.#options.createRoom();
    this.#current = { room, index: ticket.room, roomId: ticket.roomId };
    // The previous room is no longer current: its end does not bring the main room's media back.
    if (previous) await previous.room.leave();
    main.pauseMedia();
    this.emit('notice', { kind: 'entering', room: ticket.room });
    let entered = false;
    room.on('connection', (state) => {
      if (this.#current?.room !== room) return;
      if (state.name === 'joined') {
        entered = true;
        this.emit('room', room, ticket.room);
      }
      if (state.name !== 'left') return;
      this.#current = null;
      if (!entered) this.emit('notice', { kind: 'enter-failed', room: ticket.room });
      main.resumeMedia();
      this.emit('room', null, null);
    });
    await room.join({ meetingId: ticket.roomId, name: join.name, deviceId: join.deviceId, breakout: { meetingId: join.meetingId, ticket: ticket.ticket } });
  }
}
