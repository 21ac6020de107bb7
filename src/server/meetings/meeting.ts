/**
 * One meeting and every rule of it. The signalling layer authenticates and parses;
 * the meeting decides, for the participant who asks, whether a request is allowed,
 * and tells everyone concerned what changed. All state lives here, and in the parts
 * this class owns, and is dropped when the meeting ends.
 *
 * This class is the coordinator: it owns the meeting's state (settings, secrets, banned devices, and the
 * parts below, which hold the rest) and its lifecycle, and passes each request to the part that handles it,
 * each in a sibling file given only the state it needs:
 *   roster.ts         the people, the checks that they may act, and telling them things
 *   admission.ts      who may enter and where they are placed, the waiting room, admit and deny
 *   departures.ts     leaving, the grace period of a dropped connection, and resuming
 *   host-controls.ts  settings, roles, removal and muting
 *   media-relay.ts    publishing, subscribing and the SFU's events (over meeting-media.ts)
 *   chat-relay.ts     chat and sealed in-meeting signals
 *   recording.ts      recording with everyone's consent: the consent state machine
 *   poll-relay.ts     sealed poll messages: to everyone from hosts, answers to one host
 *   breakout/         breakout rooms: the plan, tickets, and the child meetings this one holds
 *   mls-relay.ts      routing MLS commits, welcomes and pending work (over mls-delivery.ts)
 *   meeting-clock.ts  the meeting's timers
 *   snapshot.ts       the whole meeting as one participant is shown it
 *
 * Meeting lifecycle: open → ended (terminal). A participant's lifecycle is the transition table in
 * participant.ts (entering → waiting-host → waiting-room → joined → gone, with shortcuts); every change of
 * it goes through Participant.transition, in admission.ts, departures.ts and `end` here.
 */
import {
  DEFAULT_SETTINGS,
  mayShareScreen as mayShareUnder,
  type ChatBody,
  type LeaveReason,
  type MediaSource,
  type MeetingSettings,
  type MlsCommit,
  type PeerConnectionName,
} from '../../protocol/index.ts';
import type { IceCandidateInit, MediaEngine } from '../../media/engine.ts';
import type { Logger } from '../../log/logger.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import { newPasscode, newSecret, secretsEqual } from '../security/random.ts';
import { Admission, type EntryRequest } from './admission.ts';
import { ChatRelay } from './chat-relay.ts';
import { RecordingConsent } from './recording.ts';
import { PollRelay } from './poll-relay.ts';
import { BreakoutRooms } from './breakout/breakout-rooms.ts';
import { Departures, sendAway, type DismissOptions } from './departures.ts';
import { HostControls } from './host-controls.ts';
import { MediaRelay, mediaEventsFor } from './media-relay.ts';
import { MeetingClock } from './meeting-clock.ts';
import { MeetingMedia, type SubscriptionRequest } from './meeting-media.ts';
import { MlsDelivery } from './mls-delivery.ts';
import { MlsRelay } from './mls-relay.ts';
import type { MessageSink, Participant } from './participant.ts';
import { Roster } from './roster.ts';
import { sendMeetingSnapshot } from './snapshot.ts';
import { SpeakingRelay } from './speaking-relay.ts';

export type { EntryRequest } from './admission.ts';

export interface MeetingLimits {
  /** People besides the hosts and co-hosts, waiting room included. */
  maxParticipants: number;
  emptyMeetingMs: number;
  unstartedMeetingMs: number;
  maxDurationMs: number | null;
  resumeGraceMs: number;
}

export class Meeting {
  passcode = newPasscode();
  readonly hostSecret = newSecret();
  readonly createdAt = Date.now();
  startedAt: number | undefined;
  settings: MeetingSettings = { ...DEFAULT_SETTINGS, screenShareAllowed: [] };
  state: 'open' | 'ended' = 'open';
  /** The account that created the meeting (whoMayHost `accounts`, or a signed-in creator); undefined: none. */
  ownerUserId: string | undefined;

  /** Devices removed by a host: refused for the rest of the meeting, under any name. */
  private readonly bannedDevices = new Set<string>();
  readonly mls = new MlsDelivery();
  readonly media: MeetingMedia;
  private readonly roster: Roster;
  private readonly speaking: SpeakingRelay;
  private readonly clock: MeetingClock;
  private readonly admission: Admission;
  private readonly departures: Departures;
  private readonly host: HostControls;
  private readonly mediaRelay: MediaRelay;
  private readonly chatRelay: ChatRelay;
  /** Recording with consent (recording.ts); the snapshot shows its state. */
  readonly recording: RecordingConsent;
  /** Breakout rooms (breakout/): child meetings this one holds; `parent` is set on those children. */
  readonly breakout: BreakoutRooms;
  parent: Meeting | undefined;
  private readonly pollRelay: PollRelay;
  private readonly mlsRelay: MlsRelay;

  constructor(
    readonly id: string,
    readonly title: string,
    readonly creatorAddress: string,
    private readonly engine: MediaEngine,
    private readonly limits: MeetingLimits,
    private readonly onEnded: (meeting: Meeting) => void,
    private readonly log: Logger,
  ) {
    // Each part is given only what it needs. Parts that call each other (admission and departures) do so
    // through callbacks bound late, once every part exists.
    const settings = () => this.settings;
    const applySettings = (next: MeetingSettings) => this.applySettings(next);
    const sendSnapshot = (p: Participant) => this.sendSnapshot(p);
    const dismiss = (p: Participant, reason: LeaveReason, options?: DismissOptions) => this.departures.dismiss(p, reason, options);
    const roster = (this.roster = new Roster((p) => p.info(this.mayShareScreen(p))));
    this.speaking = new SpeakingRelay((participantId, speaking) => {
      if (roster.get(participantId)?.state === 'joined') roster.broadcast({ type: 'speaking', participantId, speaking });
    });
    const events = mediaEventsFor(roster, this.speaking, (pid, source) => this.mediaRelay.unpublish(pid, source));
    this.media = new MeetingMedia(engine, limits.maxParticipants, events, log);
    this.mediaRelay = new MediaRelay(roster, this.media, settings, (p) => this.mayShareScreen(p));
    this.chatRelay = new ChatRelay(roster, settings, this.mls);
    const recording = (this.recording = new RecordingConsent({ roster, groupExists: () => this.mls.groupExists }));
    this.pollRelay = new PollRelay(roster, this.mls);
    this.mlsRelay = new MlsRelay(roster, this.mls, sendSnapshot);
    this.clock = new MeetingClock(limits, { end: (reason) => this.end(reason), lock: () => applySettings({ ...this.settings, locked: true }) });
    this.admission = new Admission({
      roster, settings, sendSnapshot, dismiss, log, title, meetingId: id, maxParticipants: limits.maxParticipants,
      mls: this.mlsRelay, media: this.media, clock: this.clock, recording,
      isBanned: (deviceId) => this.isDeviceBanned(deviceId),
      start: () => this.start(),
    });
    this.departures = new Departures({
      roster, settings, applySettings, sendSnapshot, log, meetingId: id, resumeGraceMs: limits.resumeGraceMs,
      mls: this.mls, mlsRelay: this.mlsRelay, media: this.media, speaking: this.speaking, clock: this.clock, admission: this.admission, recording,
      breakout: { participantGone: (p) => this.breakout.participantGone(p) },
    });
    this.host = new HostControls({
      roster, settings, applySettings, sendSnapshot, dismiss,
      admission: this.admission, media: this.mediaRelay, mls: this.mlsRelay,
      autoLockChanged: () => this.clock.scheduleAutoLock(this.startedAt, this.settings.autoLockMinutes),
      mayShareScreen: (p) => this.mayShareScreen(p),
      ban: (deviceId) => this.bannedDevices.add(deviceId),
    });
    this.breakout = new BreakoutRooms({
      roster, log, meetingId: id, enabled: () => this.parent === undefined, createChild: (roomId, name) => this.createBreakoutChild(roomId, name),
    });
  }

  /** A breakout room (breakout/child-rooms.ts): this meeting's settings, started, ended only by this meeting. */
  private createBreakoutChild(roomId: string, name: string): Meeting {
    const never = 2 ** 31 - 1; // the longest timer Node keeps: the parent ends its rooms, not their clocks
    const limits = { ...this.limits, emptyMeetingMs: never, unstartedMeetingMs: never, maxDurationMs: null };
    const child = new Meeting(roomId, name, this.creatorAddress, this.engine, limits, () => {}, this.log);
    child.parent = this;
    child.settings = { ...this.settings, waitingRoom: false, locked: false, autoLockMinutes: null, spotlight: null, screenShareAllowed: [] };
    child.start();
    return child;
  }

  // -------------------------------------------------------------------------
  // Queries
  // -------------------------------------------------------------------------

  passcodeMatches(given: string): boolean {
    return secretsEqual(given, this.passcode);
  }

  hostSecretMatches(given: string): boolean {
    return secretsEqual(given, this.hostSecret);
  }

  isDeviceBanned(deviceId: string): boolean {
    return this.bannedDevices.has(deviceId);
  }

  get joined(): Participant[] {
    return this.roster.joined;
  }

  get size(): number {
    return this.roster.size;
  }

  participant(id: string): Participant | undefined {
    return this.roster.get(id);
  }

  /** The protocol's one rule, which clients apply too when settings change. */
  mayShareScreen(p: Participant): boolean {
    return mayShareUnder(p, this.settings);
  }

  /** The whole meeting as p is shown it (snapshot.ts). */
  sendSnapshot(p: Participant): void {
    sendMeetingSnapshot(p, this, this.roster);
    this.breakout.sendState(p);
  }

  // -------------------------------------------------------------------------
  // Lifecycle: entering, leaving, ending
  // -------------------------------------------------------------------------

  /**
   * Places a person whose passcode was already checked: joined, or waiting for the
   * host, or in the waiting room. Throws when the meeting cannot take them.
   */
  enter(request: EntryRequest, sink: MessageSink): Participant {
    this.assertOpen();
    return this.admission.enter(request, sink);
  }

  /** The host's first arrival starts the clock of auto-lock and maximum duration. */
  start(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.clock.started(this.startedAt, this.settings.autoLockMinutes);
  }

  leave(p: Participant, reason: LeaveReason = 'left'): void {
    this.departures.leave(p, reason);
  }

  /** The connection dropped: keep the place for the grace period. */
  detach(p: Participant): void {
    this.departures.detach(p);
  }

  /** A new connection presented p's resume token. */
  resume(p: Participant, sink: MessageSink): void {
    this.assertOpen();
    this.departures.resume(p, sink);
  }

  end(reason: LeaveReason = 'ended', actor?: Participant): void {
    if (actor && actor.role !== 'host') throw forbidden('only the host can end the meeting');
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.clock.stop();
    this.recording.close();
    this.breakout.end();
    this.speaking.clear();
    for (const p of this.roster.all()) {
      clearTimeout(p.reconnectTimer);
      p.transition('gone');
      sendAway(p, reason);
    }
    this.roster.clear();
    this.bannedDevices.clear();
    void this.media.close();
    this.log.info('meeting ended', { meeting: this.id, reason });
    this.onEnded(this);
  }

  // -------------------------------------------------------------------------
  // Host controls
  // -------------------------------------------------------------------------

  admit(actor: Participant, requested: readonly string[], mls: MlsCommit | undefined): void {
    this.admission.admit(actor, requested, mls);
  }

  deny(actor: Participant, requested: readonly string[]): void {
    this.admission.deny(actor, requested);
  }

  remove(actor: Participant, id: string): void {
    this.host.remove(actor, id);
  }

  updateSettings(actor: Participant, changes: Partial<MeetingSettings>): void {
    this.host.updateSettings(actor, changes);
  }

  regeneratePasscode(actor: Participant): string {
    this.roster.requireHostish(actor);
    this.passcode = newPasscode();
    this.roster.sendToHosts({ type: 'passcode', passcode: this.passcode });
    return this.passcode;
  }

  setRole(actor: Participant, id: string, role: 'cohost' | 'participant'): void {
    this.host.setRole(actor, id, role);
  }

  transferHost(actor: Participant, id: string): void {
    this.host.transferHost(actor, id);
  }

  mute(actor: Participant, id: string): Promise<void> {
    return this.host.mute(actor, id);
  }

  muteAll(actor: Participant): Promise<void> {
    return this.host.muteAll(actor);
  }

  // -------------------------------------------------------------------------
  // Own state and media
  // -------------------------------------------------------------------------

  rename(p: Participant, name: string): void {
    this.roster.requireJoined(p);
    if (!this.settings.allowRename && !p.isHostOrCohost) throw forbidden('renaming is turned off');
    p.name = name;
    this.roster.announce(p);
  }

  setMediaState(p: Participant, audio: boolean, video: boolean): Promise<void> {
    return this.mediaRelay.setMediaState(p, audio, video);
  }

  publish(p: Participant, source: MediaSource, sdp: string): Promise<string> {
    return this.mediaRelay.publish(p, source, sdp);
  }

  unpublishOwn(p: Participant, source: MediaSource): Promise<void> {
    return this.mediaRelay.unpublishOwn(p, source);
  }

  unpublish(participantId: string, source: MediaSource): Promise<void> {
    return this.mediaRelay.unpublish(participantId, source);
  }

  subscribe(p: Participant, request: SubscriptionRequest): Promise<void> {
    return this.mediaRelay.subscribe(p, request);
  }

  answerSubscriber(p: Participant, sdp: string): Promise<void> {
    return this.mediaRelay.answerSubscriber(p, sdp);
  }

  restartSubscriber(p: Participant): Promise<void> {
    return this.mediaRelay.restartSubscriber(p);
  }

  trickle(p: Participant, pc: PeerConnectionName, candidate: IceCandidateInit | null): Promise<void> {
    return this.mediaRelay.trickle(p, pc, candidate);
  }

  // -------------------------------------------------------------------------
  // Chat, signals and the MLS delivery service
  // -------------------------------------------------------------------------

  chat(p: Participant, to: string | undefined, body: ChatBody): void {
    this.chatRelay.chat(p, to, body);
  }

  signal(p: Participant, data: string): void {
    this.chatRelay.signal(p, data);
  }

  poll(p: Participant, to: string | undefined, data: string): void {
    this.pollRelay.poll(p, to, data);
  }

  // Recording with consent (recording.ts)

  askToRecord(p: Participant, request: string, proof: string): void {
    this.recording.ask(p, request, proof);
  }

  answerRecording(p: Participant, request: string, consent: boolean, proof: string | undefined): void {
    this.recording.answer(p, request, consent, proof);
  }

  startRecording(p: Participant, request: string): void {
    this.recording.start(p, request);
  }

  stopRecording(p: Participant): void {
    this.recording.stop(p);
  }

  setKeyPackage(p: Participant, keyPackage: string): void {
    this.mlsRelay.setKeyPackage(p, keyPackage);
  }

  groupCreated(p: Participant): void {
    this.mlsRelay.groupCreated(p);
  }

  resync(p: Participant, keyPackage: string): void {
    this.mlsRelay.resync(p, keyPackage);
  }

  commit(p: Participant, mls: MlsCommit, adds: readonly string[], removes: readonly string[]): void {
    this.mlsRelay.commit(p, mls, adds, removes);
  }

  epochAck(p: Participant, epoch: number): void {
    this.mlsRelay.epochAck(p, epoch);
  }

  // -------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------

  /** Stores new settings and tells everyone joined: one message each, whatever changed. */
  private applySettings(next: MeetingSettings): void {
    this.settings = next;
    this.roster.broadcast({ type: 'settings', settings: this.settings });
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new ProtocolError('join-refused', 'the meeting is not available');
  }
}
