/** The browser SDK: signalling, meeting state and media, with no UI. */
export { Room, type JoinOptions, type RoomOptions, type RoomEvents, type RoomNotice } from './room.ts';
export { RoomState, type ChatMessage, type RoomStateEvents } from './room-state.ts';
export { SignallingClient, SignallingError, defaultSignallingUrl, type OutgoingMessage } from './signalling-client.ts';
export type { ConnectionState, EndReason, WaitingReason } from './connection-state.ts';
export { ReconnectPolicy, resumePolicy, rejoinPolicy, type ReconnectPolicyOptions, type Clock } from './reconnect-policy.ts';
export { LocalMedia, type DeviceLists } from './media/local-media.ts';
export type { RemoteTrack } from './media/subscriber.ts';
export type { VisibleVideo } from './media/subscription-policy.ts';
export type { TransformHook, MediaKind } from './media/peer-connection.ts';
export { HostControls } from './host-controls.ts';
export { createMeeting } from './create-meeting.ts';
export { loadDeviceId } from './device-id.ts';
export { MeetingEncryption, DECRYPT_WARNING_MS, ROSTER_GRACE_MS, type EncryptionSnapshot, type RosterMismatch } from './e2ee/meeting-encryption.ts';
export { InMeetingSignals, REACTION_BURST, REACTION_INTERVAL_MS, type RaisedHand } from './in-meeting-signals.ts';
export { REACTIONS, type Reaction } from '../e2ee/session/signals.ts';
export { Polls, MAX_POLLS_KEPT, type PollDraft, type PollTally, type PollView, type PollsEvents } from './polls.ts';
