/**
 * Leaving a meeting, and the grace period of a dropped connection. Every departure (left, denied, removed,
 * timed out, replaced) goes through `dismiss`, which tells the person and everyone concerned, and keeps the
 * meeting whole afterwards: it always has a host, and an MLS group if anyone is left to make one.
 * A joined participant whose connection drops keeps its place for `resumeGraceMs`; a resume ends that wait.
 */
import type { LeaveReason, MeetingSettings } from '../../protocol/index.ts';
import type { Logger } from '../../log/logger.ts';
import { newSecret } from '../security/random.ts';
import type { Admission } from './admission.ts';
import type { MeetingClock } from './meeting-clock.ts';
import type { MeetingMedia } from './meeting-media.ts';
import type { MlsDelivery } from './mls-delivery.ts';
import type { MlsRelay } from './mls-relay.ts';
import type { RecordingConsent } from './recording.ts';
import type { MessageSink, Participant } from './participant.ts';
import type { Roster } from './roster.ts';
import type { SpeakingRelay } from './speaking-relay.ts';

export interface DismissOptions {
  /** The caller tells hosts about a whole batch of departures from the waiting room itself. */
  quiet?: boolean;
  /** The host is replaced by their own new connection, which enters right after as host. */
  returning?: boolean;
}

export interface DepartureDeps {
  readonly meetingId: string;
  readonly roster: Roster;
  readonly mls: Pick<MlsDelivery, 'participantGone'>;
  readonly mlsRelay: Pick<MlsRelay, 'announceEpochReady' | 'updateWork'>;
  readonly media: Pick<MeetingMedia, 'removeParticipant'>;
  readonly speaking: Pick<SpeakingRelay, 'forget'>;
  readonly clock: Pick<MeetingClock, 'emptied'>;
  readonly recording: Pick<RecordingConsent, 'participantGone'>;
  /** Out of the breakout plan and of any breakout room (breakout/breakout-rooms.ts). */
  readonly breakout: { participantGone(p: Participant): void };
  readonly admission: Pick<Admission, 'releaseHostWaiters' | 'sendWaiting' | 'catchUp'>;
  readonly log: Logger;
  readonly resumeGraceMs: number;
  settings(): MeetingSettings;
  /** Stores new settings and tells everyone joined. */
  applySettings(next: MeetingSettings): void;
  sendSnapshot(p: Participant): void;
}

/** Tells p it is out, and ends its connection after that last message. */
export function sendAway(p: Participant, reason: LeaveReason): void {
  p.send({ type: 'left', reason });
  p.sink?.close(reason);
  p.sink = undefined;
}

export class Departures {
  readonly #deps: DepartureDeps;

  constructor(deps: DepartureDeps) {
    this.#deps = deps;
  }

  leave(p: Participant, reason: LeaveReason): void {
    if (!this.#deps.roster.isPresent(p)) return;
    this.dismiss(p, reason);
  }

  /** The connection dropped: keep the place for the grace period. */
  detach(p: Participant): void {
    if (!this.#deps.roster.isPresent(p)) return;
    p.sink = undefined;
    if (p.state !== 'joined') {
      this.dismiss(p, 'left');
      return;
    }
    this.#deps.roster.announce(p);
    // It cannot acknowledge while away: the others need not wait for it.
    this.#deps.mlsRelay.announceEpochReady();
    clearTimeout(p.reconnectTimer);
    p.reconnectTimer = setTimeout(() => this.leave(p, 'timeout'), this.#deps.resumeGraceMs);
    p.reconnectTimer.unref();
  }

  /** A new connection presented p's resume token (the meeting checked it is open). */
  resume(p: Participant, sink: MessageSink): void {
    clearTimeout(p.reconnectTimer);
    p.reconnectTimer = undefined;
    const previous = p.sink;
    p.sink = sink;
    p.resumeToken = newSecret();
    previous?.send({ type: 'left', reason: 'replaced' });
    previous?.close('replaced');
    if (p.state === 'joined') {
      this.#deps.roster.announce(p);
      this.#deps.admission.catchUp(p);
    } else {
      this.#deps.admission.sendWaiting(p);
    }
  }

  /**
   * `returning`: if the group went with the ghost, the host's new connection makes the new MLS group: no
   * successor, and nobody else is asked for a group. The ghost's leaf is still a departed member, removed by
   * the next commit like anyone's who left.
   */
  dismiss(p: Participant, reason: LeaveReason, options: DismissOptions = {}): void {
    const { roster } = this.#deps;
    const wasJoined = p.state === 'joined';
    const wasListed = p.state === 'waiting-room';
    const wasHost = p.role === 'host';
    if (!p.transition('gone')) return; // already gone: its departure was handled then
    clearTimeout(p.reconnectTimer);
    roster.delete(p);
    sendAway(p, reason);
    // The recorder leaving ends the recording (its browser saves what it has); anyone's answer is forgotten.
    this.#deps.recording.participantGone(p);
    this.#deps.breakout.participantGone(p);
    this.#deps.log.info('participant left', { meeting: this.#deps.meetingId, participant: p.id, reason });

    if (wasJoined) {
      this.#deps.speaking.forget(p.id);
      void this.#deps.media.removeParticipant(p.id).then((removed) => {
        for (const publication of removed) roster.broadcast({ type: 'publication-removed', publicationId: publication.id });
      });
      roster.broadcast({ type: 'participant-left', participantId: p.id, reason });
      const settings = this.#deps.settings();
      if (settings.spotlight === p.id) this.#deps.applySettings({ ...settings, spotlight: null });
      const groupGone = this.#deps.mls.participantGone(p.id);
      const successor = wasHost && !options.returning ? this.#promoteSuccessor() : undefined;
      if (groupGone && !options.returning) this.#askForNewGroup(successor);
      this.#deps.mlsRelay.updateWork();
      // Only the last joined person leaving starts the clock; waiting people neither start nor stop it.
      if (roster.joined.length === 0) this.#deps.clock.emptied();
    } else if (wasListed && !options.quiet) {
      roster.waitingRoomChanged({ removed: [p] });
    }
  }

  /**
   * The meeting always keeps a host: when the host goes without handing over, the
   * longest-admitted co-host, else participant, becomes host; anyone still waiting for
   * the host moves on.
   */
  #promoteSuccessor(): Participant | undefined {
    const { roster } = this.#deps;
    if (roster.joined.some((o) => o.role === 'host')) return undefined;
    const successor = roster.bySeniority(roster.joined)[0];
    if (!successor) return undefined;
    successor.role = 'host';
    roster.announce(successor);
    this.#deps.sendSnapshot(successor);
    this.#deps.admission.releaseHostWaiters();
    return successor;
  }

  /**
   * The last MLS member left while others are still here: the most senior connected
   * one starts a new group, told so by a snapshot that says there is none. A successor
   * just promoted already had that snapshot.
   */
  #askForNewGroup(alreadyTold: Participant | undefined): void {
    const { roster } = this.#deps;
    const creator = roster.bySeniority(roster.joined.filter((o) => o.connected))[0];
    if (creator && creator !== alreadyTold) this.#deps.sendSnapshot(creator);
  }
}
