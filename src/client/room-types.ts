/** The Room's contract with its user: what it is given, its typed events, and the notices shown in passing. */
import type { MediaSource } from '../protocol/index.ts';
import type { DeviceIdentity } from '../e2ee/identity/device-identity.ts';
import type { WorkerPort } from '../e2ee/session/index.ts';
import type { ConnectionState } from './connection-state.ts';
import type { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import type { LocalMedia } from './media/local-media.ts';
import type { MediaRecoveryState } from './media/media-recovery.ts';
import type { RemoteTrack } from './media/subscriber.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import { SignallingError } from './signalling-client.ts';

export interface RoomOptions {
  signallingUrl: string;
  localMedia: LocalMedia;
  /** Starts the E2EE worker (default: the bundled /e2ee-worker.js). Every meeting is end-to-end encrypted. */
  createE2eeWorker?: () => WorkerPort;
  /**
   * When to retry after the signalling socket drops: `resume` while joined (default: for the server's resume
   * grace), `rejoin` before admission (default: 6 tries). Leaving cancels a pending retry at once.
   */
  reconnect?: { resume?: ReconnectPolicy; rejoin?: ReconnectPolicy };
  /** This browser's device identity key, bound to its MLS credential (src/e2ee/identity/identity-store.ts). */
  deviceIdentity?: () => Promise<DeviceIdentity>;
  /**
   * A breakout room's Room (src/client/breakout/) uses the main meeting's camera and microphone: it does not
   * stop them when it ends, and has no breakout rooms of its own.
   */
  breakoutRoom?: boolean;
}


export type RoomNotice =
  | { kind: 'muted-by-host' }
  | { kind: 'muted-on-entry' }
  | { kind: 'unmute-not-allowed' }
  | { kind: 'screen-share-refused'; reason: string }
  | { kind: 'chat-refused'; reason: string }
  | { kind: 'admit-failed'; reason: 'no-key-package' | 'refused' }
  | { kind: 'media-failed'; source: MediaSource | 'subscriber' }
  | { kind: 'invalid-message'; reason: string };

export interface RoomEvents {
  connection: [state: ConnectionState];
  /** Every remote track currently received (a full snapshot). */
  tracks: [tracks: readonly RemoteTrack[]];
  /** The local screen-share track, or null when not sharing. */
  'local-screen': [track: MediaStreamTrack | null];
  'active-speaker': [participantId: string | null];
  levels: [levels: ReadonlyMap<string, number>];
  /**
   * The subscriber connection's statistics, every SAMPLE_INTERVAL_MS while joined: one `getStats()` serves
   * congestion control and the tiles' connection-quality indicators.
   */
  'receive-stats': [report: RTCStatsReport];
  notice: [notice: RoomNotice];
  /** The meeting's end-to-end encryption was set up (on join); its own events say the rest. */
  encryption: [encryption: MeetingEncryption];
  /** Own join rejected or failed; `connection` then goes to `left`. */
  'join-error': [error: SignallingError];
  /** The media server restarts under the meeting (`reconnecting`, `restoring`) and media flows again (`flowing`). */
  'media-recovery': [state: MediaRecoveryState];
}

/** Why a request was refused, for a notice: the server's error code, never an internal error's text. */
export function refusalReason(err: unknown): string {
  return err instanceof SignallingError ? err.code : 'failed';
}
