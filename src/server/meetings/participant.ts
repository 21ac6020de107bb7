/**
 * One person in (or queued for) a meeting. The participant outlives its connection
 * for a grace period so that a dropped network does not cost the place.
 *
 * Its place in the meeting is a state machine; every move goes through `transition`, checked against
 * PARTICIPANT_TRANSITIONS:
 *   entering      created by Meeting.enter, not placed yet                  → waiting-host | waiting-room | joined
 *   waiting-host  came before any host; listed to nobody                    → waiting-room | joined | gone
 *   waiting-room  listed to the hosts, waiting to be admitted               → joined | gone
 *   joined        in the meeting: counted, told everything, in the MLS group → gone
 *   gone          final: left, denied, removed, timed out, replaced, or the meeting ended
 *
 * The connection is a second, independent fact (`sink`): a joined participant whose socket drops stays
 * joined, shown as reconnecting, for the resume window (`reconnectTimer`), and a resume attaches a new sink.
 * Only joined participants are kept while disconnected: a waiting one whose socket drops is gone at once.
 * There is no way back from `joined` to a waiting state, nor out of `gone`: a person who comes again is a
 * new participant, with a new id, who goes through entry and the waiting room again.
 */
import type { LeaveReason, ParticipantInfo, Role, ServerMessage, VerifiedIdentity, WaitingEntry } from '../../protocol/index.ts';
import type { Logger } from '../../log/logger.ts';
import { newParticipantId, newSecret } from '../security/random.ts';

/** Where a participant's messages go: the signalling connection it is attached to. */
export interface MessageSink {
  send(message: ServerMessage): void;
  /** Ends the connection after its last message; the participant is detached first. */
  close(reason: LeaveReason): void;
}

export type ParticipantState = 'entering' | 'waiting-host' | 'waiting-room' | 'joined' | 'gone';

/** Every move a participant's state may make; anything else is a server bug. */
export const PARTICIPANT_TRANSITIONS: { readonly [From in ParticipantState]: readonly ParticipantState[] } = {
  entering: ['waiting-host', 'waiting-room', 'joined'],
  'waiting-host': ['waiting-room', 'joined', 'gone'],
  'waiting-room': ['joined', 'gone'],
  joined: ['gone'],
  gone: [],
};

export function mayTransition(from: ParticipantState, to: ParticipantState): boolean {
  return PARTICIPANT_TRANSITIONS[from].includes(to);
}

export class Participant {
  readonly id = newParticipantId();
  resumeToken = newSecret();
  #state: ParticipantState = 'entering';
  role: Role = 'participant';
  audio = false;
  video = false;
  screen = false;
  /** MLS KeyPackage (base64) the browser sent; needed to add this person to the group. */
  keyPackage: string | undefined;
  sink: MessageSink | undefined;
  reconnectTimer: NodeJS.Timeout | undefined;
  /** When the participant got into the meeting proper (not the waiting room): seniority for succession. */
  admittedAt = Number.POSITIVE_INFINITY;
  /** Who the server knows this person to be (a personal invitation or a signed-in account); shown to hosts while waiting. */
  identity: VerifiedIdentity | undefined;

  constructor(
    public name: string,
    readonly deviceId: string,
    readonly address: string,
    private readonly log: Logger,
  ) {}

  get state(): ParticipantState {
    return this.#state;
  }

  /**
   * Moves to `to` if the table allows it and returns whether it did. An illegal move is a bug in the
   * server, not something a client can cause: it is logged (ids and states only) and refused, the state
   * stays as it was, and the caller skips the work that belonged to the move. One participant's bug
   * must not end everyone's meeting, so this does not throw.
   */
  transition(to: ParticipantState): boolean {
    const from = this.#state;
    if (!mayTransition(from, to)) {
      this.log.error('illegal participant transition refused', { participant: this.id, from, to });
      return false;
    }
    this.#state = to;
    return true;
  }

  get isHostOrCohost(): boolean {
    return this.role === 'host' || this.role === 'cohost';
  }

  get connected(): boolean {
    return this.sink !== undefined;
  }

  send(message: ServerMessage): void {
    this.sink?.send(message);
  }

  /** How hosts see this person in the waiting room. */
  waitingEntry(): WaitingEntry {
    return {
      participantId: this.id,
      name: this.name,
      ...(this.keyPackage !== undefined ? { keyPackage: this.keyPackage } : {}),
      ...(this.identity !== undefined ? { identity: this.identity } : {}),
    };
  }

  info(mayShareScreen: boolean): ParticipantInfo {
    return {
      id: this.id,
      name: this.name,
      role: this.role,
      audio: this.audio,
      video: this.video,
      screen: this.screen,
      mayShareScreen,
      reconnecting: !this.connected,
    };
  }
}
