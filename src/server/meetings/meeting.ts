/**
 * One meeting and every rule of it. The signalling layer authenticates and parses;
 * this class decides, for the participant who asks, whether a request is allowed,
 * and tells everyone concerned what changed. All state lives here and is dropped
 * when the meeting ends.
 *
 * Meeting lifecycle: open → ended (terminal). A participant's lifecycle:
 *   waiting-host → waiting-room → joined → gone, or waiting-* → joined directly, or → gone at any point.
 */
import {
  DEFAULT_SETTINGS,
  MAX_MEETING_HOSTS,
  mayShareScreen as mayShareUnder,
  type ChatBody,
  type LeaveReason,
  type MediaSource,
  type MeetingSettings,
  type MlsCommit,
  type PeerConnectionName,
  type ServerMessage,
} from '../../protocol/index.ts';
import type { IceCandidateInit, MediaEngine } from '../../media/engine.ts';
import type { Logger } from '../../log/logger.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import { newPasscode, newSecret, secretsEqual } from '../security/random.ts';
import { MeetingMedia, type SubscriptionRequest } from './meeting-media.ts';
import { MlsDelivery } from './mls-delivery.ts';
import { SpeakingRelay } from './speaking-relay.ts';
import { Participant, type MessageSink } from './participant.ts';
import { waitingRoomChanges, waitingRoomSnapshot, type WaitingRoomChange } from './waiting-room-feed.ts';

export interface MeetingLimits {
  /** People besides the hosts and co-hosts, waiting room included. */
  maxParticipants: number;
  emptyMeetingMs: number;
  unstartedMeetingMs: number;
  maxDurationMs: number | null;
  resumeGraceMs: number;
}

export interface EntryRequest {
  name: string;
  deviceId: string;
  address: string;
  /** The joiner proved knowledge of the host secret. */
  asHost: boolean;
}

export class Meeting {
  passcode = newPasscode();
  readonly hostSecret = newSecret();
  readonly createdAt = Date.now();
  startedAt: number | undefined;
  settings: MeetingSettings = { ...DEFAULT_SETTINGS, screenShareAllowed: [] };
  state: 'open' | 'ended' = 'open';

  private readonly participants = new Map<string, Participant>();
  /** Devices removed by a host: refused for the rest of the meeting, under any name. */
  private readonly bannedDevices = new Set<string>();
  readonly mls = new MlsDelivery();
  readonly media: MeetingMedia;
  private readonly speaking: SpeakingRelay;
  private readonly timers = new Map<'empty' | 'unstarted' | 'max-duration' | 'auto-lock', NodeJS.Timeout>();

  constructor(
    readonly id: string,
    readonly title: string,
    readonly creatorAddress: string,
    engine: MediaEngine,
    private readonly limits: MeetingLimits,
    private readonly onEnded: (meeting: Meeting) => void,
    private readonly log: Logger,
  ) {
    this.speaking = new SpeakingRelay((participantId, speaking) => {
      const p = this.participants.get(participantId);
      if (p?.state === 'joined') this.broadcast({ type: 'speaking', participantId, speaking });
    });
    this.media = new MeetingMedia(engine, limits.maxParticipants, {
      subscriberOffer: (pid, sdp, tracks) => this.participants.get(pid)?.send({ type: 'subscriber-offer', sdp, tracks }),
      subscriberTracks: (pid, tracks) => this.participants.get(pid)?.send({ type: 'subscriber-tracks', tracks }),
      sendLayers: (pid, source, active) => this.participants.get(pid)?.send({ type: 'send-layers', source, active }),
      publisherLost: (pid, source) => void this.unpublish(pid, source).catch(() => undefined),
      talking: (pid, talking) => this.speaking.set(pid, talking),
    }, log);
    this.setTimer('unstarted', limits.unstartedMeetingMs, () => this.end('idle'));
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
    return [...this.participants.values()].filter((p) => p.state === 'joined');
  }

  private get waiting(): Participant[] {
    return [...this.participants.values()].filter((p) => p.state === 'waiting-room' || p.state === 'waiting-host');
  }

  get size(): number {
    return this.participants.size;
  }

  /** Hosts and co-hosts in the meeting: they do not count towards the participant cap. */
  private get hostCount(): number {
    return this.joined.filter((p) => p.isHostOrCohost).length;
  }

  private get hostPresent(): boolean {
    return this.joined.some((p) => p.isHostOrCohost);
  }

  participant(id: string): Participant | undefined {
    return this.participants.get(id);
  }

  /** The protocol's one rule, which clients apply too when settings change. */
  mayShareScreen(p: Participant): boolean {
    return mayShareUnder(p, this.settings);
  }

  // -------------------------------------------------------------------------
  // Entry
  // -------------------------------------------------------------------------

  /**
   * Places a person whose passcode was already checked: joined, or waiting for the
   * host, or in the waiting room. Throws when the meeting cannot take them.
   */
  enter(request: EntryRequest, sink: MessageSink): Participant {
    this.assertOpen();
    if (!request.asHost) {
      if (this.bannedDevices.has(request.deviceId)) throw new ProtocolError('removed', 'you were removed from this meeting');
      if (this.settings.locked) throw new ProtocolError('locked', 'the meeting is locked');
    }
    // The host's own browser coming back (a reload, or a second tab) takes the host's place at once, rather
    // than entering as a co-host beside a "reconnecting" ghost of itself. Only the host secret together with
    // the device id the host entered with does this; another device with the host secret becomes co-host.
    const ghost = request.asHost ? this.hostOnDevice(request.deviceId) : undefined;
    if (ghost) this.dismiss(ghost, 'replaced', { returning: true });
    this.assertRoomFor(request.asHost);

    const state = request.asHost ? 'joined' : !this.hostPresent ? 'waiting-host' : this.settings.waitingRoom ? 'waiting-room' : 'joined';
    const p = new Participant(request.name, request.deviceId, request.address, state);
    p.sink = sink;
    this.participants.set(p.id, p);

    if (request.asHost) {
      p.role = this.joined.some((o) => o !== p && o.role === 'host') ? 'cohost' : 'host';
      this.start();
      this.completeJoin(p);
      this.releaseHostWaiters();
    } else if (state === 'joined') {
      this.completeJoin(p);
    } else {
      this.sendWaiting(p);
      if (state === 'waiting-room') this.waitingRoomChanged({ added: [p] });
    }
    this.log.info('participant entered', { meeting: this.id, participant: p.id, state: p.state, role: p.role });
    return p;
  }

  /** The joined (connected or reconnecting) participant with the role `host` who entered from this device. */
  private hostOnDevice(deviceId: string): Participant | undefined {
    return this.joined.find((p) => p.role === 'host' && p.deviceId === deviceId);
  }

  /**
   * The cap counts everyone but hosts and co-hosts, waiting room included: a meeting of 100 is 100 people
   * besides its host. Hosts and co-hosts are at most MAX_MEETING_HOSTS, and the whole meeting at most the
   * cap plus that (a co-host made participant again can take the participants past the cap for a while).
   */
  private assertRoomFor(asHost: boolean): void {
    const hosts = this.hostCount;
    const full = asHost
      ? hosts >= MAX_MEETING_HOSTS || this.participants.size >= this.limits.maxParticipants + MAX_MEETING_HOSTS
      : this.participants.size - hosts >= this.limits.maxParticipants;
    if (full) throw new ProtocolError('meeting-full', 'the meeting is full');
  }

  /** The host's first arrival starts the clock of auto-lock and maximum duration. */
  private start(): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = Date.now();
    this.clearTimer('unstarted');
    if (this.limits.maxDurationMs !== null) this.setTimer('max-duration', this.limits.maxDurationMs, () => this.end('max-duration'));
    this.scheduleAutoLock();
  }

  /** People who came before the host: into the waiting room, or straight in when it is off. */
  private releaseHostWaiters(): void {
    const early = this.waiting.filter((p) => p.state === 'waiting-host');
    const queued: Participant[] = [];
    for (const p of early) {
      if (this.settings.waitingRoom) {
        p.state = 'waiting-room';
        this.sendWaiting(p);
        queued.push(p);
      } else {
        this.completeJoin(p);
      }
    }
    this.waitingRoomChanged({ added: queued });
  }

  private sendWaiting(p: Participant): void {
    p.send({ type: 'waiting', reason: p.state === 'waiting-host' ? 'host-absent' : 'waiting-room', title: this.title, participantId: p.id });
  }

  private completeJoin(p: Participant): void {
    p.state = 'joined';
    p.admittedAt = Date.now();
    this.clearTimer('empty');
    p.audio = false; // muted on entry: the server forwards no audio until the participant unmutes
    p.video = false;
    this.broadcast({ type: 'participant-joined', participant: this.info(p) }, p);
    this.sendSnapshot(p);
    this.updateMlsWork();
  }

  sendSnapshot(p: Participant): void {
    const joined: ServerMessage = {
      type: 'joined',
      self: { participantId: p.id, role: p.role, resumeToken: p.resumeToken },
      title: this.title,
      startedAt: this.startedAt ?? this.createdAt,
      settings: this.settings,
      ...(p.isHostOrCohost ? { passcode: this.passcode } : {}),
      participants: this.joined.map((o) => this.info(o)),
      publications: this.media.listPublications(),
      mls: { epoch: this.mls.epoch, groupExists: this.mls.groupExists },
    };
    p.send(joined);
    // The only time a host is sent the whole waiting room; afterwards, changes only.
    if (p.isHostOrCohost) for (const message of waitingRoomSnapshot(this.waitingEntries())) p.send(message);
  }

  // -------------------------------------------------------------------------
  // Host controls
  // -------------------------------------------------------------------------

  admit(actor: Participant, requested: readonly string[], mls: MlsCommit | undefined): void {
    this.requireHostish(actor);
    const ids = [...new Set(requested)];
    const people = ids.map((id) => {
      const p = this.participants.get(id);
      if (!p || p.state !== 'waiting-room') throw new ProtocolError('not-found', 'no such person in the waiting room');
      return p;
    });
    if (mls) {
      // Admission and the MLS commit that adds them are one step: both or neither.
      for (const p of people) if (p.keyPackage === undefined) throw new ProtocolError('invalid-state', 'a KeyPackage is missing');
      const epoch = this.mls.acceptCommit(actor, mls, ids, [], (id) => people.some((p) => p.id === id));
      this.relayCommit(actor, mls, epoch, people);
    }
    for (const p of people) this.completeJoin(p);
    this.waitingRoomChanged({ removed: people });
  }

  deny(actor: Participant, requested: readonly string[]): void {
    this.requireHostish(actor);
    const ids = [...new Set(requested)];
    for (const id of ids) {
      const p = this.participants.get(id);
      if (!p || (p.state !== 'waiting-room' && p.state !== 'waiting-host')) throw new ProtocolError('not-found', 'no such person in the waiting room');
    }
    const people = ids.map((id) => this.participants.get(id)!);
    const listed = people.filter((p) => p.state === 'waiting-room');
    for (const p of people) this.dismiss(p, 'denied', { quiet: true });
    this.waitingRoomChanged({ removed: listed });
  }

  remove(actor: Participant, id: string): void {
    this.requireHostish(actor);
    const target = this.participants.get(id);
    if (!target || target.state !== 'joined') throw new ProtocolError('not-found', 'no such participant');
    if (target === actor) throw new ProtocolError('invalid-state', 'use leave to leave');
    if (target.role === 'host' || (target.role === 'cohost' && actor.role !== 'host')) throw forbidden('cannot remove this participant');
    this.bannedDevices.add(target.deviceId);
    this.dismiss(target, 'removed');
  }

  updateSettings(actor: Participant, changes: Partial<MeetingSettings>): void {
    this.requireHostish(actor);
    // A spotlight names someone everyone is shown large: only a person in the meeting now.
    if (changes.spotlight) this.joinedParticipant(changes.spotlight);
    const next = { ...this.settings, ...changes };
    if (changes.screenShareAllowed) next.screenShareAllowed = [...new Set(changes.screenShareAllowed)];
    const waitingRoomTurnedOff = this.settings.waitingRoom && !next.waitingRoom;
    const autoLockChanged = changes.autoLockMinutes !== undefined && changes.autoLockMinutes !== this.settings.autoLockMinutes;
    this.settings = next;
    // One message to each: clients derive everyone's `mayShareScreen` from the settings (the protocol's
    // mayShareScreen rule), so a change of policy costs no update per participant.
    this.broadcast({ type: 'settings', settings: this.settings });
    if (autoLockChanged) this.scheduleAutoLock();
    // Withdrawn permissions take effect at once: a screen share that is no longer allowed stops.
    for (const p of this.joined) if (p.screen && !this.mayShareScreen(p)) void this.unpublish(p.id, 'screen');
    if (waitingRoomTurnedOff) {
      const admitted = this.waiting.filter((w) => w.state === 'waiting-room');
      for (const p of admitted) this.completeJoin(p);
      this.waitingRoomChanged({ removed: admitted });
    }
  }

  regeneratePasscode(actor: Participant): string {
    this.requireHostish(actor);
    this.passcode = newPasscode();
    for (const p of this.joined) if (p.isHostOrCohost) p.send({ type: 'passcode', passcode: this.passcode });
    return this.passcode;
  }

  setRole(actor: Participant, id: string, role: 'cohost' | 'participant'): void {
    if (actor.role !== 'host') throw forbidden('only the host can change roles');
    const target = this.joinedParticipant(id);
    if (target.role === 'host') throw forbidden('cannot change the host role this way');
    if (role === 'cohost' && target.role !== 'cohost' && this.hostCount >= MAX_MEETING_HOSTS) {
      throw new ProtocolError('limit-reached', 'this meeting has as many co-hosts as it may');
    }
    target.role = role;
    this.announce(target);
    this.sendSnapshot(target);
    this.updateMlsWork();
  }

  transferHost(actor: Participant, id: string): void {
    if (actor.role !== 'host') throw forbidden('only the host can hand over the host role');
    const target = this.joinedParticipant(id);
    if (target === actor) return;
    target.role = 'host';
    actor.role = 'participant';
    this.announce(target);
    this.announce(actor);
    this.sendSnapshot(target);
    this.updateMlsWork();
  }

  async mute(actor: Participant, id: string): Promise<void> {
    this.requireHostish(actor);
    const target = this.joinedParticipant(id);
    if (await this.setAudio(target, false)) this.announce(target);
  }

  /**
   * Mutes every participant but the hosts and co-hosts (the actor is one of them). The state changes at once
   * and one `all-muted` tells everyone, however many were muted: clients apply it by role, which they know
   * from the same ordered stream. The SFU stops forwarding afterwards.
   */
  async muteAll(actor: Participant): Promise<void> {
    this.requireHostish(actor);
    const muted = this.joined.filter((p) => !p.isHostOrCohost && p.audio);
    if (muted.length === 0) return;
    for (const p of muted) p.audio = false;
    this.broadcast({ type: 'all-muted' });
    await Promise.all(muted.map((p) => this.media.setForwarding(p.id, 'audio', false)));
  }

  end(reason: LeaveReason = 'ended', actor?: Participant): void {
    if (actor && actor.role !== 'host') throw forbidden('only the host can end the meeting');
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.speaking.clear();
    for (const p of this.participants.values()) {
      clearTimeout(p.reconnectTimer);
      p.state = 'gone';
      p.send({ type: 'left', reason });
      p.sink?.close(reason);
      p.sink = undefined;
    }
    this.participants.clear();
    this.bannedDevices.clear();
    void this.media.close();
    this.log.info('meeting ended', { meeting: this.id, reason });
    this.onEnded(this);
  }

  // -------------------------------------------------------------------------
  // Own state
  // -------------------------------------------------------------------------

  rename(p: Participant, name: string): void {
    this.requireJoined(p);
    if (!this.settings.allowRename && !p.isHostOrCohost) throw forbidden('renaming is turned off');
    p.name = name;
    this.announce(p);
  }

  async setMediaState(p: Participant, audio: boolean, video: boolean): Promise<void> {
    this.requireJoined(p);
    if (audio && !p.audio && !this.settings.allowUnmute && !p.isHostOrCohost) throw forbidden('the host does not allow unmuting');
    if (video !== p.video) {
      p.video = video;
      await this.media.setForwarding(p.id, 'video', video);
    }
    await this.setAudio(p, audio);
    this.announce(p);
  }

  /** Changes what the SFU forwards of p's microphone; returns whether anything changed. */
  private async setAudio(p: Participant, audio: boolean): Promise<boolean> {
    if (p.audio === audio) return false;
    p.audio = audio;
    await this.media.setForwarding(p.id, 'audio', audio);
    return true;
  }

  // -------------------------------------------------------------------------
  // Media
  // -------------------------------------------------------------------------

  async publish(p: Participant, source: MediaSource, sdp: string): Promise<string> {
    this.requireJoined(p);
    if (source === 'screen' && !this.mayShareScreen(p)) throw forbidden('screen sharing is not allowed for you');
    const { answerSdp, added } = await this.media.publish(p.id, source, sdp);
    if (this.participants.get(p.id) !== p || p.state !== 'joined') {
      await this.media.unpublish(p.id, source);
      throw new ProtocolError('invalid-state', 'no longer in the meeting');
    }
    if (added) {
      if (source === 'camera') {
        // A new publisher forwards nothing the participant has not switched on.
        await this.media.setForwarding(p.id, 'audio', p.audio);
        await this.media.setForwarding(p.id, 'video', p.video);
      } else {
        p.screen = true;
        this.announce(p);
      }
      this.broadcast({ type: 'publication-added', publication: added }, p);
    }
    return answerSdp;
  }

  async unpublishOwn(p: Participant, source: MediaSource): Promise<void> {
    this.requireJoined(p);
    await this.unpublish(p.id, source);
  }

  async unpublish(participantId: string, source: MediaSource): Promise<void> {
    const removed = await this.media.unpublish(participantId, source);
    const p = this.participants.get(participantId);
    if (source === 'screen' && p?.screen) {
      p.screen = false;
      this.announce(p);
    }
    if (removed) this.broadcast({ type: 'publication-removed', publicationId: removed.id });
  }

  async subscribe(p: Participant, request: SubscriptionRequest): Promise<void> {
    this.requireJoined(p);
    const offer = await this.media.subscribe(p.id, request);
    if (offer) p.send({ type: 'subscriber-offer', sdp: offer.sdp, tracks: offer.tracks });
  }

  async answerSubscriber(p: Participant, sdp: string): Promise<void> {
    this.requireJoined(p);
    await this.media.answerSubscriber(p.id, sdp);
  }

  async restartSubscriber(p: Participant): Promise<void> {
    this.requireJoined(p);
    const offer = await this.media.restartSubscriber(p.id);
    p.send({ type: 'subscriber-offer', sdp: offer.sdp, tracks: offer.tracks });
  }

  async trickle(p: Participant, pc: PeerConnectionName, candidate: IceCandidateInit | null): Promise<void> {
    this.requireJoined(p);
    await this.media.trickle(p.id, pc, candidate);
  }

  // -------------------------------------------------------------------------
  // Chat
  // -------------------------------------------------------------------------

  chat(p: Participant, to: string | undefined, body: ChatBody): void {
    this.requireJoined(p);
    const mode = this.settings.chat;
    if (mode === 'off') throw forbidden('chat is turned off');
    if (mode === 'host-only' && !p.isHostOrCohost) throw forbidden('only the host can write in the chat');
    // Once the meeting has an MLS group, chat is end-to-end encrypted: the server relays no plaintext.
    if (body.kind === 'text' && this.mls.groupExists) throw forbidden('chat must be end-to-end encrypted in this meeting');
    const message: ServerMessage = { type: 'chat', from: p.id, fromName: p.name, body, sentAt: Date.now(), ...(to ? { to } : {}) };
    if (to === undefined) {
      this.broadcast(message);
      return;
    }
    const recipient = this.joinedParticipant(to);
    if (!this.settings.privateChat && !p.isHostOrCohost && !recipient.isHostOrCohost) throw forbidden('private messages are turned off');
    if (recipient === p) throw new ProtocolError('invalid-state', 'cannot message oneself');
    recipient.send(message);
    p.send(message);
  }

  // -------------------------------------------------------------------------
  // MLS delivery service
  // -------------------------------------------------------------------------

  setKeyPackage(p: Participant, keyPackage: string): void {
    if (p.state === 'gone') throw new ProtocolError('not-in-meeting', 'not in a meeting');
    if (this.mls.isMember(p.id)) throw new ProtocolError('invalid-state', 'already a member of the group');
    if (p.keyPackage === keyPackage) return; // the same one again: nobody needs it twice
    p.keyPackage = keyPackage;
    if (p.state === 'joined') this.updateMlsWork();
    // Someone waiting for the host is not listed yet: their KeyPackage goes out with them when they are.
    else if (p.state === 'waiting-room') this.waitingRoomChanged({ updated: [p] });
  }

  groupCreated(p: Participant): void {
    this.requireJoined(p);
    if (this.joined.some((o) => this.mls.isMember(o.id))) throw new ProtocolError('invalid-state', 'the group already exists');
    this.mls.groupCreated(p);
    this.updateMlsWork();
  }

  commit(p: Participant, mls: MlsCommit, adds: readonly string[], removes: readonly string[]): void {
    this.requireJoined(p);
    const isPendingJoiner = (id: string) => {
      const o = this.participants.get(id);
      return o !== undefined && o.state === 'joined' && o.keyPackage !== undefined;
    };
    const epoch = this.mls.acceptCommit(p, mls, adds, removes, isPendingJoiner);
    this.relayCommit(p, mls, epoch, adds.map((id) => this.participants.get(id)!));
    this.updateMlsWork();
  }

  private relayCommit(committer: Participant, mls: MlsCommit, newEpoch: number, added: readonly Participant[]): void {
    // A KeyPackage is used once: it must not be offered again for a later add.
    for (const p of added) p.keyPackage = undefined;
    const relayed: ServerMessage = { type: 'mls-commit', mls: { epoch: mls.epoch, commit: mls.commit }, committer: committer.id };
    for (const o of this.joined) {
      if (o !== committer && this.mls.isMember(o.id) && !added.includes(o)) o.send(relayed);
    }
    if (mls.welcome !== undefined) for (const o of added) o.send({ type: 'mls-welcome', welcome: mls.welcome, epoch: newEpoch });
  }

  /** Tells the chosen committer what is left to commit (if anything). */
  /** A member holds the keys of `epoch`: once every connected member does, senders may use them. */
  epochAck(p: Participant, epoch: number): void {
    this.requireJoined(p);
    this.mls.ack(p.id, epoch);
    this.announceEpochReady();
  }

  /**
   * Tells the members, once per epoch, that every connected member holds the current epoch's keys, so that
   * senders switch to them now rather than after their fallback delay (src/e2ee/worker/key-timing.ts).
   * One message to each member per epoch, whoever's acknowledgement completed it.
   */
  private announceEpochReady(): void {
    const epoch = this.mls.readyEpoch((id) => {
      const o = this.participants.get(id);
      return o !== undefined && o.state === 'joined' && o.connected;
    });
    if (epoch === undefined) return;
    for (const o of this.joined) if (this.mls.isMember(o.id)) o.send({ type: 'mls-epoch-ready', epoch });
  }

  private updateMlsWork(): void {
    this.announceEpochReady();
    if (!this.mls.groupExists) return;
    const work = this.mls.pendingWork(this.joined);
    if (work.adds.length === 0 && work.removes.length === 0) return;
    this.mls.chooseCommitter(this.bySeniority(this.joined))?.send({ type: 'mls-pending', ...work });
  }

  // -------------------------------------------------------------------------
  // Leaving and reconnecting
  // -------------------------------------------------------------------------

  leave(p: Participant, reason: LeaveReason = 'left'): void {
    if (this.participants.get(p.id) !== p) return;
    this.dismiss(p, reason);
  }

  /** The connection dropped: keep the place for the grace period. */
  detach(p: Participant): void {
    if (this.participants.get(p.id) !== p) return;
    p.sink = undefined;
    if (p.state !== 'joined') {
      this.dismiss(p, 'left');
      return;
    }
    this.announce(p);
    // It cannot acknowledge while away: the others need not wait for it.
    this.announceEpochReady();
    clearTimeout(p.reconnectTimer);
    p.reconnectTimer = setTimeout(() => this.leave(p, 'timeout'), this.limits.resumeGraceMs);
    p.reconnectTimer.unref();
  }

  /** A new connection presented p's resume token. */
  resume(p: Participant, sink: MessageSink): void {
    this.assertOpen();
    clearTimeout(p.reconnectTimer);
    p.reconnectTimer = undefined;
    const previous = p.sink;
    p.sink = sink;
    p.resumeToken = newSecret();
    previous?.send({ type: 'left', reason: 'replaced' });
    previous?.close('replaced');
    if (p.state === 'joined') {
      this.announce(p);
      this.sendSnapshot(p);
      this.updateMlsWork();
    } else {
      this.sendWaiting(p);
    }
  }

  /**
   * `quiet`: the caller tells hosts about a whole batch of departures from the waiting room itself.
   * `returning`: the host is replaced by their own new connection, which enters right after as host and, if
   * the group went with the ghost, makes the new MLS group: no successor, and nobody else is asked for a group.
   * The ghost's leaf is still a departed member, removed by the next commit like anyone's who left.
   */
  private dismiss(p: Participant, reason: LeaveReason, options: { quiet?: boolean; returning?: boolean } = {}): void {
    const wasJoined = p.state === 'joined';
    const wasListed = p.state === 'waiting-room';
    const wasHost = p.role === 'host';
    p.state = 'gone';
    clearTimeout(p.reconnectTimer);
    this.participants.delete(p.id);
    p.send({ type: 'left', reason });
    p.sink?.close(reason);
    p.sink = undefined;
    this.log.info('participant left', { meeting: this.id, participant: p.id, reason });

    if (wasJoined) {
      this.speaking.forget(p.id);
      void this.media.removeParticipant(p.id).then((removed) => {
        for (const publication of removed) this.broadcast({ type: 'publication-removed', publicationId: publication.id });
      });
      this.broadcast({ type: 'participant-left', participantId: p.id, reason });
      if (this.settings.spotlight === p.id) {
        this.settings = { ...this.settings, spotlight: null };
        this.broadcast({ type: 'settings', settings: this.settings });
      }
      const groupGone = this.mls.participantGone(p.id);
      const successor = wasHost && !options.returning ? this.promoteSuccessor() : undefined;
      if (groupGone && !options.returning) this.askForNewGroup(successor);
      this.updateMlsWork();
      // Only the last joined person leaving starts the clock; waiting people neither start nor stop it.
      if (this.joined.length === 0) this.setTimer('empty', this.limits.emptyMeetingMs, () => this.end('idle'));
    } else if (wasListed && !options.quiet) {
      this.waitingRoomChanged({ removed: [p] });
    }
  }

  /**
   * The meeting always keeps a host: when the host goes without handing over, the
   * longest-admitted co-host, else participant, becomes host; anyone still waiting for
   * the host moves on.
   */
  private promoteSuccessor(): Participant | undefined {
    if (this.joined.some((o) => o.role === 'host')) return undefined;
    const successor = this.bySeniority(this.joined)[0];
    if (!successor) return undefined;
    successor.role = 'host';
    this.announce(successor);
    this.sendSnapshot(successor);
    this.releaseHostWaiters();
    return successor;
  }

  /**
   * The last MLS member left while others are still here: the most senior connected
   * one starts a new group, told so by a snapshot that says there is none. A successor
   * just promoted already had that snapshot.
   */
  private askForNewGroup(alreadyTold: Participant | undefined): void {
    const creator = this.bySeniority(this.joined.filter((o) => o.connected))[0];
    if (creator && creator !== alreadyTold) this.sendSnapshot(creator);
  }

  /** Host, then co-hosts, then participants; within a role, the longest admitted first. */
  private bySeniority(people: Participant[]): Participant[] {
    const rank = (o: Participant) => (o.role === 'host' ? 0 : o.role === 'cohost' ? 1 : 2);
    return [...people].sort((a, b) => rank(a) - rank(b) || a.admittedAt - b.admittedAt);
  }

  // -------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------

  private info(p: Participant) {
    return p.info(this.mayShareScreen(p));
  }

  private announce(p: Participant): void {
    if (p.state === 'joined') this.broadcast({ type: 'participant-updated', participant: this.info(p) });
  }

  /** Sends to joined participants only: nobody in a waiting room learns anything about the meeting. */
  private broadcast(message: ServerMessage, except?: Participant): void {
    for (const p of this.joined) if (p !== except) p.send(message);
  }

  private waitingEntries() {
    return this.waiting.filter((p) => p.state === 'waiting-room').map((p) => p.waitingEntry());
  }

  /** Tells hosts and co-hosts what changed in the waiting room: changes only, never the whole list. */
  private waitingRoomChanged(change: { added?: Participant[]; updated?: Participant[]; removed?: Participant[] }): void {
    const feed: WaitingRoomChange = {
      added: change.added?.map((p) => p.waitingEntry()),
      updated: change.updated?.map((p) => p.waitingEntry()),
      removed: change.removed?.map((p) => p.id),
    };
    const messages = waitingRoomChanges(feed);
    if (messages.length === 0) return;
    for (const p of this.joined) if (p.isHostOrCohost) for (const message of messages) p.send(message);
  }

  private scheduleAutoLock(): void {
    this.clearTimer('auto-lock');
    const minutes = this.settings.autoLockMinutes;
    if (minutes === null || this.startedAt === undefined) return;
    const due = this.startedAt + minutes * 60_000 - Date.now();
    this.setTimer('auto-lock', Math.max(0, due), () => {
      this.settings = { ...this.settings, locked: true };
      this.broadcast({ type: 'settings', settings: this.settings });
    });
  }

  private setTimer(name: 'empty' | 'unstarted' | 'max-duration' | 'auto-lock', ms: number, action: () => void): void {
    this.clearTimer(name);
    const timer = setTimeout(action, ms);
    timer.unref();
    this.timers.set(name, timer);
  }

  private clearTimer(name: 'empty' | 'unstarted' | 'max-duration' | 'auto-lock'): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new ProtocolError('join-refused', 'the meeting is not available');
  }

  private requireJoined(p: Participant): void {
    if (this.participants.get(p.id) !== p || p.state !== 'joined') throw new ProtocolError('not-in-meeting', 'you are not in the meeting');
  }

  private requireHostish(p: Participant): void {
    this.requireJoined(p);
    if (!p.isHostOrCohost) throw forbidden('only the host can do that');
  }

  private joinedParticipant(id: string): Participant {
    const p = this.participants.get(id);
    if (!p || p.state !== 'joined') throw new ProtocolError('not-found', 'no such participant');
    return p;
  }
}
