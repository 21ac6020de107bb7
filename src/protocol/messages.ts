/**
 * Every message of the signalling protocol, in both directions, as run-time schemas.
 * The server and the browser client validate with these same schemas; objects are
 * strict, so an unknown field is a protocol error. docs/protocol.md explains each one.
 */
import * as z from 'zod/mini';
import {
  base64,
  chatMode,
  chatText,
  displayName,
  iceCandidate,
  mediaSource,
  meetingId,
  meetingTitle,
  participantId,
  passcode,
  peerConnectionName,
  requestId,
  role,
  type Role,
  screenSharePolicy,
  sdp,
  secretToken,
} from './primitives.ts';
import { iceServerList } from './ice-servers.ts';
import { scheduleId, verifiedIdentity } from './schedules.ts';
import { breakoutClientMessages, breakoutServerMessages } from './breakout.ts';
import { MAX_SEALED_RECORDING_BYTES, recordingRequestId, recordingStatus } from './recording.ts';

/**
 * Largest message the server reads: a larger one gets `too-large`, and a frame over twice
 * this size closes the connection (1009). An MLS commit with its welcome fits.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;
const MAX_MLS_MESSAGE_BYTES = 320 * 1024;
const MAX_KEY_PACKAGE_BYTES = 8 * 1024;
const MAX_SEALED_CHAT_BYTES = 16 * 1024;
/**
 * A sealed in-meeting signal (raise hand, reaction): an MLS PrivateMessage of a signal of under 100 bytes. Measured
 * at 334 bytes (448 in base64), padding and signature included; 2 KiB leaves room for longer group ids and epochs
 * while keeping what one signal makes the server send everyone small.
 */
export const MAX_SEALED_SIGNAL_BYTES = 2 * 1024;
/**
 * A sealed poll message (src/e2ee/session/polls.ts): the largest is a poll of 10 options of 100 characters and a
 * question of 300, all in a script of 3 UTF-8 bytes a character, about 4 KB before MLS adds its header, padding
 * and signature. test/unit/e2ee-polls.test.ts seals that poll and checks that it fits.
 */
export const MAX_SEALED_POLL_BYTES = 6 * 1024;
/** Most participant ids one message names (admit, deny, commit adds/removes): "admit all" goes in batches of this. */
export const MAX_BATCH = 100;
/**
 * A meeting holds at most this many people besides its hosts and co-hosts (limits.maxParticipantsPerMeeting is
 * at most this), and at most MAX_MEETING_HOSTS hosts and co-hosts together. Every list of people one message
 * carries is bounded by these, and a meeting this full still fits its `joined` snapshot in MAX_FRAME_BYTES.
 */
export const MAX_MEETING_PARTICIPANTS = 1000;
export const MAX_MEETING_HOSTS = 20;
const MAX_MEETING_PEOPLE = MAX_MEETING_PARTICIPANTS + MAX_MEETING_HOSTS;
/**
 * Waiting-room entries one message carries. An entry holds a KeyPackage (up to about 11 KB of base64), so a
 * `waiting-room-changed` with both of its entry lists full stays under MAX_FRAME_BYTES; a longer waiting room
 * reaches a host in pages.
 */
export const MAX_WAITING_ENTRIES_PER_MESSAGE = 40;
/**
 * Subscriber slots. A browser receives at most this many videos (a grid page of 25, the large speaker tile,
 * screen shares) and this many microphones (the people talking now and lately), whatever the meeting's size:
 * the subscriber SDP and every subscription message stay bounded, and slots are re-pointed (VideoRoom
 * `switch`) rather than added.
 */
export const MAX_VIDEO_SLOTS = 30;
export const MAX_AUDIO_SLOTS = 16;

const id = z.optional(requestId);
const msg = <T extends string, S extends Record<string, z.core.SomeType>>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), id, ...shape });

// ---------------------------------------------------------------------------
// Shared shapes
// ---------------------------------------------------------------------------

export const meetingSettings = z.strictObject({
  waitingRoom: z.boolean(),
  locked: z.boolean(),
  /** Minutes after the start at which the meeting locks itself; null: never. */
  autoLockMinutes: z.nullable(z.int().check(z.minimum(1), z.maximum(24 * 60))),
  screenShare: screenSharePolicy,
  /** Participants allowed to share when `screenShare` is `named`. */
  screenShareAllowed: z.array(participantId).check(z.maxLength(MAX_BATCH)),
  chat: chatMode,
  privateChat: z.boolean(),
  muteOnEntry: z.boolean(),
  allowUnmute: z.boolean(),
  allowRename: z.boolean(),
  /** Shown large to everyone who has not pinned someone themselves (a host's choice); null: nobody. */
  spotlight: z.nullable(participantId),
  /**
   * Meetings started from a schedule only: whether only invited people may enter (a valid personal invitation,
   * or a signed-in account whose e-mail is invited); absent for other meetings.
   */
  invitedOnly: z.optional(z.boolean()),
});
export type MeetingSettings = z.infer<typeof meetingSettings>;

export const participantInfo = z.strictObject({
  id: participantId,
  name: displayName,
  role,
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
  mayShareScreen: z.boolean(),
  /** The signalling connection dropped; the participant has a grace period to resume. */
  reconnecting: z.boolean(),
});
export type ParticipantInfo = z.infer<typeof participantInfo>;

export const trackKind = z.enum(['audio', 'video']);

/** Which simulcast layer a receiver wants: about 180p, 360p, 720p (a screen share has one layer). */
export const videoQuality = z.enum(['low', 'medium', 'high']);
export type VideoQuality = z.infer<typeof videoQuality>;

/** A published stream set of one participant (camera+microphone, or screen). */
export const publicationInfo = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/)),
  participantId,
  source: mediaSource,
});
export type PublicationInfo = z.infer<typeof publicationInfo>;

/** What a track of the subscriber peer connection carries. */
export const subscribedTrack = z.strictObject({
  mid: z.string().check(z.maxLength(16)),
  kind: trackKind,
  publicationId: publicationInfo.shape.id,
  participantId,
  source: mediaSource,
});
export type SubscribedTrack = z.infer<typeof subscribedTrack>;

export const waitingEntry = z.strictObject({
  participantId,
  name: displayName,
  /** MLS KeyPackage the host's client needs to add this person; absent until the client sent it. */
  keyPackage: z.optional(base64(MAX_KEY_PACKAGE_BYTES)),
  /** Who the server knows this person to be (a signed-in account, or a personal invitation's address). */
  identity: z.optional(verifiedIdentity),
});
export type WaitingEntry = z.infer<typeof waitingEntry>;

export const chatBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: chatText }),
  /** An MLS PrivateMessage: the server relays it without being able to read it. */
  z.strictObject({ kind: z.literal('mls'), data: base64(MAX_SEALED_CHAT_BYTES) }),
]);
export type ChatBody = z.infer<typeof chatBody>;

/** An MLS commit as the delivery service sees it: opaque bytes plus the epoch it was made in. */
export const mlsCommit = z.strictObject({
  epoch: z.int().check(z.minimum(0)),
  commit: base64(MAX_MLS_MESSAGE_BYTES),
  welcome: z.optional(base64(MAX_MLS_MESSAGE_BYTES)),
});
export type MlsCommit = z.infer<typeof mlsCommit>;

// ---------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------

export const clientMessage = z.discriminatedUnion('type', [
  /** `scheduleId`: start an occurrence of the sender's own schedule (the socket must be signed in as its owner). */
  msg('create-meeting', { title: meetingTitle, scheduleId: z.optional(scheduleId) }),
  msg('join', {
    meetingId,
    /** Required unless `invitation` is given (the schema refuses a join with neither). */
    passcode: z.optional(passcode),
    /** A personal invitation's token (from `/i/<token>`) instead of the passcode. */
    invitation: z.optional(secretToken),
    name: displayName,
    /** Random id the browser keeps; a removed participant's device is refused. */
    deviceId: secretToken,
    hostSecret: z.optional(secretToken),
  }).check(z.refine((m) => m.passcode !== undefined || m.invitation !== undefined, { message: 'a passcode or an invitation is required' })),
  msg('resume', { resumeToken: secretToken }),
  msg('leave', {}),
  msg('end-meeting', {}),

  // Host and co-host controls
  msg('admit', { participantIds: z.array(participantId).check(z.minLength(1), z.maxLength(MAX_BATCH)), mls: z.optional(mlsCommit) }),
  msg('deny', { participantIds: z.array(participantId).check(z.minLength(1), z.maxLength(MAX_BATCH)) }),
  msg('remove', { participantId }),
  msg('update-settings', { settings: z.partial(meetingSettings) }),
  msg('regenerate-passcode', {}),
  msg('set-role', { participantId, role: z.enum(['cohost', 'participant']) }),
  msg('transfer-host', { participantId }),
  msg('mute', { participantId }),
  msg('mute-all', {}),

  // Own state
  msg('rename', { name: displayName }),
  msg('set-media-state', { audio: z.boolean(), video: z.boolean() }),

  // Media negotiation with the SFU, relayed by the server
  msg('publish', { source: mediaSource, sdp }),
  msg('unpublish', { source: mediaSource }),
  msg('trickle', { pc: peerConnectionName, candidate: z.nullable(iceCandidate) }),
  /** The whole wanted subscription: these videos at these qualities, these publications' microphones. */
  msg('subscribe', {
    video: z.array(z.strictObject({ publicationId: publicationInfo.shape.id, quality: videoQuality })).check(z.maxLength(MAX_VIDEO_SLOTS)),
    audio: z.array(publicationInfo.shape.id).check(z.maxLength(MAX_AUDIO_SLOTS)),
  }),
  msg('subscriber-answer', { sdp }),
  msg('restart-subscriber', {}),

  // Chat
  msg('chat', { to: z.optional(participantId), body: chatBody }),
  /**
   * An in-meeting signal (raise hand, reaction), sealed for the MLS group: relayed to everyone, whatever the chat
   * mode. There is no `to`: a signal is for the whole meeting.
   */
  msg('signal', { data: base64(MAX_SEALED_SIGNAL_BYTES) }),
  /**
   * A poll message sealed for the MLS group (src/e2ee/session/polls.ts). Without `to`, for everyone (a host's
   * or co-host's poll, its closing, its results); with `to`, for that one person (an answer to the poll's owner).
   */
  msg('poll', { to: z.optional(participantId), data: base64(MAX_SEALED_POLL_BYTES) }),

  /**
   * Recording with consent (docs/protocol.md 4.7). A host or co-host asks (`proof`: the ask sealed for the MLS
   * group); each person answers with their consent in clear, which the server counts, beside the same answer
   * sealed (`proof`; absent only from someone in the waiting room, who is not in the group yet); the asking host
   * starts once everyone joined said yes; the recorder or a host stops.
   */
  msg('recording-ask', { request: recordingRequestId, proof: base64(MAX_SEALED_RECORDING_BYTES) }),
  msg('recording-answer', { request: recordingRequestId, consent: z.boolean(), proof: z.optional(base64(MAX_SEALED_RECORDING_BYTES)) }),
  msg('recording-start', { request: recordingRequestId }),
  msg('recording-stop', {}),

  // MLS delivery service
  msg('mls-key-package', { keyPackage: base64(MAX_KEY_PACKAGE_BYTES) }),
  msg('mls-group-created', {}),
  /** This member holds the keys of `epoch` now (it processed the commit or Welcome that made it). */
  msg('mls-epoch-ack', { epoch: z.int().check(z.minimum(0)) }),
  msg('mls-commit', {
    mls: mlsCommit,
    /** Participants this commit adds (pending joiners) and removes (gone members). */
    adds: z.array(participantId).check(z.maxLength(MAX_BATCH)),
    removes: z.array(participantId).check(z.maxLength(MAX_BATCH)),
  }),
  /**
   * The sender is a member whose group state fell behind (it missed a commit): re-add it with this fresh
   * KeyPackage, which keeps its signature key. For the sender only: the message names nobody else.
   */
  msg('mls-resync', { keyPackage: base64(MAX_KEY_PACKAGE_BYTES) }),

  // Breakout rooms (breakout.ts)
  ...breakoutClientMessages,
]);
export type ClientMessage = z.infer<typeof clientMessage>;
export type ClientMessageType = ClientMessage['type'];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

// ---------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------

export const errorCode = z.enum([
  'bad-message', // not JSON, fails the schema, or an unknown type
  'too-large', // over the frame limit
  'rate-limited', // too many messages of this kind
  'throttled', // join attempts slowed down after failures
  'join-refused', // wrong passcode or no such meeting: deliberately the same answer
  'locked',
  'meeting-full',
  'removed', // this device was removed from the meeting
  'not-in-meeting',
  'forbidden', // the role or the meeting's settings do not allow it
  'invalid-state', // e.g. answering an offer that was never made
  'not-found', // a participant or publication id that does not exist
  'stale-epoch', // MLS commit for an epoch that is not the current one
  'limit-reached', // caps on meetings (per server, per address)
  'sign-in-required', // whoMayHost is `accounts` and this socket's browser is not signed in
  'media-error', // the SFU refused the request
  'unavailable', // the media engine is restarting
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCode>;

export const leaveReason = z.enum([
  'left',
  'ended', // the host ended the meeting for everyone
  'removed',
  'denied',
  'idle', // the meeting was empty for too long
  'max-duration',
  'media-failure', // the media engine died and did not come back (see media-status); the meeting could not go on
  'replaced', // the same participant resumed on another connection
  'timeout',
  'server-shutdown', // the server is stopping (an operator's restart or upgrade); the meeting is over
]);
export type LeaveReason = z.infer<typeof leaveReason>;

const selfInfo = z.strictObject({
  participantId,
  role,
  resumeToken: secretToken,
});

export const serverMessage = z.discriminatedUnion('type', [
  msg('ok', {}),
  msg('error', { code: errorCode, message: z.string().check(z.maxLength(200)), retryAfterMs: z.optional(z.int()) }),
  msg('created', { meetingId, passcode, hostSecret: secretToken }),
  msg('waiting', {
    reason: z.enum(['host-absent', 'waiting-room']),
    title: meetingTitle,
    participantId,
  }),
  msg('joined', {
    self: selfInfo,
    title: meetingTitle,
    startedAt: z.int(),
    settings: meetingSettings,
    /** Only sent to the host and co-hosts. */
    passcode: z.optional(passcode),
    participants: z.array(participantInfo).check(z.maxLength(MAX_MEETING_PEOPLE)),
    publications: z.array(publicationInfo).check(z.maxLength(2 * MAX_MEETING_PEOPLE)),
    mls: z.strictObject({ epoch: z.int().check(z.minimum(0)), groupExists: z.boolean() }),
    /** Whether a recording is asked for or runs, and by whom; absent: neither. */
    recording: z.optional(recordingStatus),
  }),
  msg('left', { reason: leaveReason }),
  msg('participant-joined', { participant: participantInfo }),
  msg('participant-updated', { participant: participantInfo }),
  /**
   * A host's `mute-all`: every joined participant whose role is `participant` has `audio: false` now; hosts and
   * co-hosts keep theirs. One short message however many people it mutes, rather than an update for each.
   */
  msg('all-muted', {}),
  msg('participant-left', { participantId, reason: leaveReason }),
  /**
   * To hosts and co-hosts, in their snapshot (after `joined`): the waiting room as it is now, replacing what
   * the client knew. A longer waiting room continues in `waiting-room-changed` messages with `added`.
   */
  msg('waiting-room', { entries: z.array(waitingEntry).check(z.maxLength(MAX_WAITING_ENTRIES_PER_MESSAGE)) }),
  /**
   * To hosts and co-hosts afterwards: what changed. `added`: new people waiting; `updated`: an entry changed
   * (its KeyPackage arrived); `removed`: people no longer waiting (admitted, denied or gone). Each KeyPackage
   * reaches a host once, so a host's bytes grow with the waiting people's, not with their square.
   */
  msg('waiting-room-changed', {
    added: z.optional(z.array(waitingEntry).check(z.minLength(1), z.maxLength(MAX_WAITING_ENTRIES_PER_MESSAGE))),
    updated: z.optional(z.array(waitingEntry).check(z.minLength(1), z.maxLength(MAX_WAITING_ENTRIES_PER_MESSAGE))),
    removed: z.optional(z.array(participantId).check(z.minLength(1), z.maxLength(MAX_BATCH))),
  }),
  msg('settings', { settings: meetingSettings }),
  msg('passcode', { passcode }),
  msg('publication-added', { publication: publicationInfo }),
  msg('publication-removed', { publicationId: publicationInfo.shape.id }),
  msg('publish-answer', { source: mediaSource, sdp }),
  msg('subscriber-offer', { sdp, tracks: z.array(subscribedTrack).check(z.maxLength(MAX_VIDEO_SLOTS + MAX_AUDIO_SLOTS)) }),
  /**
   * What each mid of the subscriber connection carries now, after slots were re-pointed without a new offer.
   * Sent before the SFU switches, so the receiver expects the new sender's frames. A mid not listed is idle.
   */
  msg('subscriber-tracks', { tracks: z.array(subscribedTrack).check(z.maxLength(MAX_VIDEO_SLOTS + MAX_AUDIO_SLOTS)) }),
  /**
   * The media server (SFU) went down and is being restarted (`reconnecting`): the meeting, its MLS group and
   * chat go on, media pauses. `restored`: it is back; publish and subscribe again on new peer connections
   * (publication ids stay the same). If it does not come back, the meeting ends with `left {media-failure}`.
   */
  msg('media-status', { state: z.enum(['reconnecting', 'restored']) }),
  /** The SFU heard this participant start or stop talking (RFC 6464 audio levels, which stay clear). */
  msg('speaking', { participantId, speaking: z.boolean() }),
  /** Which of the camera's simulcast layers (low, medium, high) anybody receives: the others need not be encoded. */
  msg('send-layers', { source: mediaSource, active: z.array(z.boolean()).check(z.length(3)) }),
  msg('chat', {
    from: participantId,
    fromName: displayName,
    to: z.optional(participantId),
    body: chatBody,
    sentAt: z.int(),
  }),
  /** A member's sealed in-meeting signal, relayed to every joined participant (the sender included) at `sentAt`. */
  msg('signal', { from: participantId, data: base64(MAX_SEALED_SIGNAL_BYTES), sentAt: z.int() }),
  /** A sealed poll message: one without `to` relayed to every other joined participant, one with `to` to that person only. */
  msg('poll', { from: participantId, to: z.optional(participantId), data: base64(MAX_SEALED_POLL_BYTES), sentAt: z.int() }),
  /** Recording with consent (docs/protocol.md 4.7): where it stands, to everyone joined, on every change. */
  msg('recording-state', { recording: recordingStatus }),
  /** A host's sealed ask, relayed to every other joined participant. */
  msg('recording-ask', { from: participantId, request: recordingRequestId, proof: base64(MAX_SEALED_RECORDING_BYTES), sentAt: z.int() }),
  /** To a person in the waiting room while a recording is asked for or runs: admission needs their yes. */
  msg('recording-consent-needed', { request: recordingRequestId, byName: displayName, recording: z.boolean() }),
  /** To hosts and co-hosts: one person's answer (`waiting`: given in the waiting room, so without proof). */
  msg('recording-answer', {
    from: participantId,
    request: recordingRequestId,
    consent: z.boolean(),
    proof: z.optional(base64(MAX_SEALED_RECORDING_BYTES)),
    waiting: z.boolean(),
  }),
  /** To hosts and co-hosts: a request or recording ended for want of consent: who said no, who never answered. */
  msg('recording-outcome', {
    request: recordingRequestId,
    declined: z.array(participantId).check(z.maxLength(MAX_MEETING_PEOPLE)),
    unanswered: z.array(participantId).check(z.maxLength(MAX_MEETING_PEOPLE)),
  }),
  /** To the member chosen to commit: who is waiting to be added or removed. */
  msg('mls-pending', {
    epoch: z.int().check(z.minimum(0)),
    adds: z.array(z.strictObject({ participantId, keyPackage: base64(MAX_KEY_PACKAGE_BYTES) })),
    removes: z.array(participantId),
    /** Members that asked to be re-added (`mls-resync`): remove each one's leaf and add its fresh KeyPackage. */
    resyncs: z.optional(z.array(z.strictObject({ participantId, keyPackage: base64(MAX_KEY_PACKAGE_BYTES) })).check(z.minLength(1), z.maxLength(MAX_BATCH))),
  }),
  msg('mls-commit', { mls: z.omit(mlsCommit, { welcome: true }), committer: participantId }),
  msg('mls-welcome', { welcome: base64(MAX_MLS_MESSAGE_BYTES), epoch: z.int().check(z.minimum(0)) }),
  /** Every connected member holds the keys of `epoch`: senders may switch to it now. */
  msg('mls-epoch-ready', { epoch: z.int().check(z.minimum(0)) }),
  /**
   * To an admitted participant only, just before its `joined` and again before `expiresAt` while it stays:
   * the TURN relay and a short-lived credential for it, for the browser's peer connections.
   */
  msg('ice-servers', { iceServers: iceServerList, expiresAt: z.int() }),

  // Breakout rooms (breakout.ts)
  ...breakoutServerMessages,
]);
export type ServerMessage = z.infer<typeof serverMessage>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** Settings of a new meeting: every advisory counter-measure on. */
export const DEFAULT_SETTINGS: MeetingSettings = Object.freeze({
  waitingRoom: true,
  locked: false,
  autoLockMinutes: null,
  screenShare: 'host-only',
  screenShareAllowed: [],
  chat: 'everyone',
  privateChat: false,
  muteOnEntry: true,
  allowUnmute: true,
  allowRename: true,
  spotlight: null,
}) as MeetingSettings;

/**
 * Whether a person may publish a screen share under these settings. The server enforces it and reports it as
 * `mayShareScreen`; a client applies it again to everyone when `settings` change, so a change of policy costs
 * one `settings` message, not an update per participant.
 */
export function mayShareScreen(person: { readonly id: string; readonly role: Role }, settings: Pick<MeetingSettings, 'screenShare' | 'screenShareAllowed'>): boolean {
  if (person.role === 'host' || person.role === 'cohost') return true;
  if (settings.screenShare === 'everyone') return true;
  return settings.screenShare === 'named' && settings.screenShareAllowed.includes(person.id);
}
