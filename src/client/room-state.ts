/**
 * What the client knows about the meeting, built only from server messages: the
 * participants (self included), publications, settings, waiting room and chat.
 * Input arrives through `handle*` methods; every change leaves as a typed event, so
 * the UI never polls and tests can drive this class without a socket.
 */
import type {
  MeetingSettings,
  ParticipantInfo,
  PublicationInfo,
  ServerMessageOf,
  WaitingEntry,
  LeaveReason,
  Role,
} from '../protocol/index.ts';
import { mayShareScreen } from '../protocol/index.ts';
import { applyWaitingRoomMessage } from '../protocol/waiting-room.ts';
import { Emitter } from '../events/emitter.ts';

export interface ChatMessage {
  /** Local sequence number, for list keys; not a server id. */
  seq: number;
  from: string;
  fromName: string;
  /** Set for a private message (to or from this participant). */
  to?: string;
  /** Always text once opened: messages travel sealed (MLS) and are opened by the E2EE layer. */
  body: { kind: 'text'; text: string };
  sentAt: number;
  own: boolean;
  /** The server refused this own message (chat off, host-only, rate limit). */
  failed?: boolean;
}

export interface RoomStateEvents {
  'participant-joined': [participant: ParticipantInfo];
  'participant-updated': [participant: ParticipantInfo, previous: ParticipantInfo];
  'participant-left': [participant: ParticipantInfo, reason: LeaveReason];
  'publications-changed': [publications: readonly PublicationInfo[]];
  settings: [settings: MeetingSettings];
  /** The whole waiting room after each change (hosts and co-hosts only). */
  'waiting-room': [entries: readonly WaitingEntry[]];
  passcode: [passcode: string];
  chat: [message: ChatMessage];
  'chat-updated': [message: ChatMessage];
  /** The whole state was replaced (joined, or joined again after a resume). */
  reset: [];
}

const MAX_CHAT_HISTORY = 500;

export class RoomState extends Emitter<RoomStateEvents> {
  selfId: string | null = null;
  title = '';
  startedAt = 0;
  settings: MeetingSettings | null = null;
  /** Only known to hosts and co-hosts. */
  passcode: string | null = null;
  readonly participants = new Map<string, ParticipantInfo>();
  readonly publications = new Map<string, PublicationInfo>();
  /** The whole waiting room, rebuilt from the host's snapshot and the changes after it. */
  waiting: readonly WaitingEntry[] = [];
  readonly chat: ChatMessage[] = [];
  #chatSeq = 0;

  get self(): ParticipantInfo | undefined {
    return this.selfId ? this.participants.get(this.selfId) : undefined;
  }

  get role(): Role | null {
    return this.self?.role ?? null;
  }

  get isHost(): boolean {
    const role = this.role;
    return role === 'host' || role === 'cohost';
  }

  handleJoined(message: ServerMessageOf<'joined'>): void {
    this.selfId = message.self.participantId;
    this.title = message.title;
    this.startedAt = message.startedAt;
    this.settings = message.settings;
    this.passcode = message.passcode ?? null;
    this.participants.clear();
    for (const p of message.participants) this.participants.set(p.id, p);
    this.publications.clear();
    for (const p of message.publications) this.publications.set(p.id, p);
    if (!this.isHost) this.waiting = [];
    this.emit('reset');
    this.emit('settings', message.settings);
    this.emit('publications-changed', [...this.publications.values()]);
  }

  handleMessage(message: ServerMessageOf<
    | 'participant-joined'
    | 'participant-updated'
    | 'all-muted'
    | 'participant-left'
    | 'waiting-room'
    | 'waiting-room-changed'
    | 'settings'
    | 'passcode'
    | 'publication-added'
    | 'publication-removed'
  >): void {
    switch (message.type) {
      case 'participant-joined':
      case 'participant-updated': {
        const p = message.participant;
        const previous = this.participants.get(p.id);
        this.participants.set(p.id, p);
        if (previous) this.emit('participant-updated', p, previous);
        else this.emit('participant-joined', p);
        return;
      }
      case 'all-muted': {
        // Hosts and co-hosts keep their microphones; roles are known from the same ordered stream.
        const changed = [...this.participants.values()].filter((p) => p.role === 'participant' && p.audio);
        this.#updateEach(changed.map((p) => ({ ...p, audio: false })));
        return;
      }
      case 'participant-left': {
        const previous = this.participants.get(message.participantId);
        if (!previous) return;
        this.participants.delete(message.participantId);
        let changed = false;
        for (const [id, pub] of this.publications) {
          if (pub.participantId === message.participantId) {
            this.publications.delete(id);
            changed = true;
          }
        }
        this.emit('participant-left', previous, message.reason);
        if (changed) this.emit('publications-changed', [...this.publications.values()]);
        return;
      }
      case 'waiting-room':
      case 'waiting-room-changed':
        this.waiting = applyWaitingRoomMessage(this.waiting, message);
        this.emit('waiting-room', this.waiting);
        return;
      case 'settings': {
        // The server sends no update per participant for a new screen-share policy: apply the shared rule.
        const settings = message.settings;
        const changed = [...this.participants.values()]
          .filter((p) => p.mayShareScreen !== mayShareScreen(p, settings))
          .map((p) => ({ ...p, mayShareScreen: !p.mayShareScreen }));
        this.settings = settings;
        this.emit('settings', settings);
        this.#updateEach(changed);
        return;
      }
      case 'passcode':
        this.passcode = message.passcode;
        this.emit('passcode', message.passcode);
        return;
      case 'publication-added':
        this.publications.set(message.publication.id, message.publication);
        this.emit('publications-changed', [...this.publications.values()]);
        return;
      case 'publication-removed':
        if (this.publications.delete(message.publicationId)) {
          this.emit('publications-changed', [...this.publications.values()]);
        }
        return;
    }
  }

  /**
   * Records a message this client just sent, so it shows at once. The server's echo is never shown: an MLS
   * sender cannot open its own message, so the E2EE layer drops it.
   */
  handleOwnChat(text: string, to: string | undefined, now = Date.now()): ChatMessage | null {
    if (!this.selfId) return null;
    return this.#append({
      from: this.selfId,
      fromName: this.self?.name ?? '',
      ...(to ? { to } : {}),
      body: { kind: 'text', text },
      sentAt: now,
      own: true,
    });
  }

  handleOwnChatFailed(message: ChatMessage): void {
    message.failed = true;
    this.emit('chat-updated', message);
  }

  /** A message the E2EE layer opened and verified (sender and recipient as MLS authenticated them). */
  handleChat(message: { from: string; text: string; to?: string; sentAt: number }): void {
    if (message.from === this.selfId) return;
    this.#append({
      from: message.from,
      fromName: this.participants.get(message.from)?.name ?? 'Someone who left',
      ...(message.to ? { to: message.to } : {}),
      body: { kind: 'text', text: message.text },
      sentAt: message.sentAt,
      own: false,
    });
  }

  /** Replaces participants derived from a message that names none of them, each announced as an update. */
  #updateEach(next: readonly ParticipantInfo[]): void {
    for (const p of next) {
      const previous = this.participants.get(p.id);
      if (!previous) continue;
      this.participants.set(p.id, p);
      this.emit('participant-updated', p, previous);
    }
  }

  #append(fields: Omit<ChatMessage, 'seq'>): ChatMessage {
    const entry: ChatMessage = { seq: ++this.#chatSeq, ...fields };
    this.chat.push(entry);
    if (this.chat.length > MAX_CHAT_HISTORY) this.chat.splice(0, this.chat.length - MAX_CHAT_HISTORY);
    this.emit('chat', entry);
    return entry;
  }

  /** Forgets everything: after leaving, nothing of the meeting stays in memory longer than needed. */
  clear(): void {
    this.selfId = null;
    this.title = '';
    this.settings = null;
    this.passcode = null;
    this.participants.clear();
    this.publications.clear();
    this.waiting = [];
    this.chat.length = 0;
  }
}
