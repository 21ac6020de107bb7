/**
 * One person in (or queued for) a meeting. The participant outlives its connection
 * for a grace period so that a dropped network does not cost the place.
 */
import type { LeaveReason, ParticipantInfo, Role, ServerMessage, WaitingEntry } from '../../protocol/index.ts';
import { newParticipantId, newSecret } from '../security/random.ts';

/** Where a participant's messages go: the signalling connection it is attached to. */
export interface MessageSink {
  send(message: ServerMessage): void;
  /** Ends the connection after its last message; the participant is detached first. */
  close(reason: LeaveReason): void;
}

export type ParticipantState = 'waiting-host' | 'waiting-room' | 'joined' | 'gone';

export class Participant {
  readonly id = newParticipantId();
  resumeToken = newSecret();
  state: ParticipantState;
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

  constructor(
    public name: string,
    readonly deviceId: string,
    readonly address: string,
    state: ParticipantState,
  ) {
    this.state = state;
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
    return { participantId: this.id, name: this.name, ...(this.keyPackage !== undefined ? { keyPackage: this.keyPackage } : {}) };
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
