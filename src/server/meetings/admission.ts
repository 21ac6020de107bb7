/**
 * Entry and the waiting room: whether a person may enter (their passcode or host secret was checked before),
 * where they are placed (joined, waiting for the host, or in the waiting room), what they are told there, and
 * the ways out of waiting (admitted, denied, the host arriving, the waiting room turned off).
 */
import { MAX_MEETING_HOSTS, type LeaveReason, type MeetingSettings, type MlsCommit, type VerifiedIdentity } from '../../protocol/index.ts';
import type { Logger } from '../../log/logger.ts';
import { ProtocolError } from '../errors.ts';
import type { DismissOptions } from './departures.ts';
import type { MeetingClock } from './meeting-clock.ts';
import type { MeetingMedia } from './meeting-media.ts';
import type { MlsRelay } from './mls-relay.ts';
import type { RecordingConsent } from './recording.ts';
import { Participant, type MessageSink } from './participant.ts';
import type { Roster } from './roster.ts';

export interface EntryRequest {
  name: string;
  deviceId: string;
  address: string;
  /** The joiner proved knowledge of the host secret. */
  asHost: boolean;
  /** Who the server knows the joiner to be (an invitation or a signed-in account), shown to the hosts. */
  identity?: VerifiedIdentity | undefined;
  /**
   * Entering a breakout room with a ticket, which proves admission to the main meeting: joined at once with
   * this role, past the waiting room and the lock; a device removed from the room stays out of it
   * (breakout/child-rooms.ts).
   */
  admittedAs?: 'cohost' | 'participant';
}

export interface AdmissionDeps {
  readonly roster: Roster;
  readonly mls: Pick<MlsRelay, 'admitCommit' | 'updateWork'>;
  readonly media: Pick<MeetingMedia, 'sendMissedStatus'>;
  readonly clock: Pick<MeetingClock, 'occupied'>;
  /** While a recording is asked for or runs, entrants wait and are asked first (recording.ts). */
  readonly recording: Pick<RecordingConsent, 'needsConsent' | 'mayAdmit' | 'askWaiting'>;
  readonly log: Logger;
  readonly meetingId: string;
  readonly title: string;
  /** People besides the hosts and co-hosts, waiting room included. */
  readonly maxParticipants: number;
  settings(): MeetingSettings;
  /** A host removed this device: it is refused for the rest of the meeting, under any name. */
  isBanned(deviceId: string): boolean;
  /** The host arrived: the meeting starts, if it had not. */
  start(): void;
  sendSnapshot(p: Participant): void;
  dismiss(p: Participant, reason: LeaveReason, options: DismissOptions): void;
}

export class Admission {
  readonly #deps: AdmissionDeps;

  constructor(deps: AdmissionDeps) {
    this.#deps = deps;
  }

  /**
   * Places a person whose passcode was already checked, in a meeting that is open: joined, or waiting for
   * the host, or in the waiting room. Throws when the meeting cannot take them.
   */
  enter(request: EntryRequest, sink: MessageSink): Participant {
    if (!request.asHost) {
      if (this.#deps.isBanned(request.deviceId)) throw new ProtocolError('removed', 'you were removed from this meeting');
      // A breakout room's ticket proves admission to the main meeting: a room's lock does not apply to it.
      if (request.admittedAs === undefined && this.#deps.settings().locked) throw new ProtocolError('locked', 'the meeting is locked');
    }
    // The host's own browser coming back (a reload, or a second tab) takes the host's place at once, rather
    // than entering as a co-host beside a "reconnecting" ghost of itself. Only the host secret together with
    // the device id the host entered with does this; another device with the host secret becomes co-host.
    const ghost = request.asHost ? this.#deps.roster.hostOnDevice(request.deviceId) : undefined;
    if (ghost) this.#deps.dismiss(ghost, 'replaced', { returning: true });
    const p = this.#place(request, sink);
    this.#deps.log.info('participant entered', { meeting: this.#deps.meetingId, participant: p.id, state: p.state, role: p.role });
    return p;
  }

  #place(request: EntryRequest, sink: MessageSink): Participant {
    const { roster } = this.#deps;
    this.#assertRoomFor(request.asHost || request.admittedAs === 'cohost');
    const waitingRoom = this.#deps.settings().waitingRoom || this.#deps.recording.needsConsent;
    const state = request.asHost || request.admittedAs !== undefined ? 'joined' : !roster.hostPresent ? 'waiting-host' : waitingRoom ? 'waiting-room' : 'joined';
    const p = new Participant(request.name, request.deviceId, request.address, this.#deps.log);
    p.identity = request.identity;
    p.sink = sink;
    roster.add(p);

    if (request.asHost) {
      p.role = roster.joined.some((o) => o !== p && o.role === 'host') ? 'cohost' : 'host';
      this.#deps.start();
      this.completeJoin(p);
      this.releaseHostWaiters();
    } else if (state === 'joined') {
      if (request.admittedAs !== undefined) p.role = request.admittedAs;
      this.completeJoin(p);
    } else if (p.transition(state)) {
      this.sendWaiting(p);
      if (state === 'waiting-room') roster.waitingRoomChanged({ added: [p] });
    }
    return p;
  }

  /**
   * The cap counts everyone but hosts and co-hosts, waiting room included: a meeting of 100 is 100 people
   * besides its host. Hosts and co-hosts are at most MAX_MEETING_HOSTS, and the whole meeting at most the
   * cap plus that (a co-host made participant again can take the participants past the cap for a while).
   */
  #assertRoomFor(asHost: boolean): void {
    const { roster, maxParticipants } = this.#deps;
    const hosts = roster.hostCount;
    const full = asHost
      ? hosts >= MAX_MEETING_HOSTS || roster.size >= maxParticipants + MAX_MEETING_HOSTS
      : roster.size - hosts >= maxParticipants;
    if (full) throw new ProtocolError('meeting-full', 'the meeting is full');
  }

  /** People who came before the host: into the waiting room, or straight in when it is off. */
  releaseHostWaiters(): void {
    const early = this.#deps.roster.waiting.filter((p) => p.state === 'waiting-host');
    const queued: Participant[] = [];
    for (const p of early) {
      if (this.#deps.settings().waitingRoom) {
        if (!p.transition('waiting-room')) continue;
        this.sendWaiting(p);
        queued.push(p);
      } else {
        this.completeJoin(p);
      }
    }
    this.#deps.roster.waitingRoomChanged({ added: queued });
  }

  sendWaiting(p: Participant): void {
    p.send({ type: 'waiting', reason: p.state === 'waiting-host' ? 'host-absent' : 'waiting-room', title: this.#deps.title, participantId: p.id });
    this.#deps.recording.askWaiting(p);
  }

  completeJoin(p: Participant): void {
    if (!p.transition('joined')) return;
    p.admittedAt = Date.now();
    this.#deps.clock.occupied();
    p.audio = false; // muted on entry: the server forwards no audio until the participant unmutes
    p.video = false;
    this.#deps.roster.broadcast({ type: 'participant-joined', participant: this.#deps.roster.info(p) }, p);
    this.catchUp(p);
  }

  /**
   * Brings a joined participant's (new) connection up to date: the whole meeting, a media status it missed,
   * and whatever MLS work its arrival makes for the committer.
   */
  catchUp(p: Participant): void {
    this.#deps.sendSnapshot(p);
    this.#deps.media.sendMissedStatus(p.id);
    this.#deps.mls.updateWork();
  }

  // -------------------------------------------------------------------------
  // Host decisions
  // -------------------------------------------------------------------------

  admit(actor: Participant, requested: readonly string[], mls: MlsCommit | undefined): void {
    const { roster } = this.#deps;
    roster.requireHostish(actor);
    const people = [...new Set(requested)].map((id) => {
      const p = roster.get(id);
      if (!p || p.state !== 'waiting-room') throw new ProtocolError('not-found', 'no such person in the waiting room');
      if (!this.#deps.recording.mayAdmit(p)) throw new ProtocolError('forbidden', 'this person has not consented to the recording');
      return p;
    });
    // Admission and the MLS commit that adds them are one step: both or neither.
    if (mls) this.#deps.mls.admitCommit(actor, mls, people);
    this.admitAll(people);
  }

  /** Lets people in from the waiting room: by a host, or all of them when the waiting room is turned off. */
  admitAll(waiting: Participant[]): void {
    // Turning the waiting room off during a recording admits only those who consented to it.
    const people = waiting.filter((p) => this.#deps.recording.mayAdmit(p));
    for (const p of people) this.completeJoin(p);
    this.#deps.roster.waitingRoomChanged({ removed: people });
  }

  deny(actor: Participant, requested: readonly string[]): void {
    const { roster } = this.#deps;
    roster.requireHostish(actor);
    const ids = [...new Set(requested)];
    for (const id of ids) {
      const p = roster.get(id);
      if (!p || (p.state !== 'waiting-room' && p.state !== 'waiting-host')) throw new ProtocolError('not-found', 'no such person in the waiting room');
    }
    const people = ids.map((id) => roster.get(id)!);
    const listed = people.filter((p) => p.state === 'waiting-room');
    for (const p of people) this.#deps.dismiss(p, 'denied', { quiet: true });
    roster.waitingRoomChanged({ removed: listed });
  }
}
