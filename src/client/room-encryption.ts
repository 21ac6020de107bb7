/**
 * The Room's end-to-end encryption wiring: the meeting's MLS session and SFrame worker start on `join`; what
 * they open goes to the meeting state (chat) and the in-meeting signals (hands, reactions). Every sender and
 * receiver is attached to it through one transform hook, which fails closed.
 */
import type { DeviceIdentity } from '../e2ee/identity/device-identity.ts';
import type { WorkerPort } from '../e2ee/session/index.ts';
import { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import type { InMeetingSignals } from './in-meeting-signals.ts';
import type { TransformHook } from './media/peer-connection.ts';
import type { RoomState } from './room-state.ts';
import type { SignallingClient } from './signalling-client.ts';

/** A sender or receiver created without the E2EE layer in place throws, so it is never used. */
export function failClosedHook(encryption: () => MeetingEncryption | null): TransformHook {
  return (endpoint, kind, participantId, source) => {
    const current = encryption();
    if (!current) throw new Error('end-to-end encryption is not set up');
    current.transformHook(endpoint, kind, participantId, source);
  };
}

export interface MeetingEncryptionWiring {
  meetingId: string;
  signalling: SignallingClient;
  /** Starts the E2EE worker (default: the bundled /e2ee-worker.js). */
  createE2eeWorker?: (() => WorkerPort) | undefined;
  deviceIdentity?: (() => Promise<DeviceIdentity>) | undefined;
  state: RoomState;
  signals: InMeetingSignals;
  /** Members we had not seen joined the group (our raised hand is announced again for them). */
  onMembersGrew: () => void;
}

export function startMeetingEncryption(wiring: MeetingEncryptionWiring): MeetingEncryption {
  const { meetingId, signalling, deviceIdentity, state, signals } = wiring;
  const createWorker = wiring.createE2eeWorker ?? (() => new Worker('/e2ee-worker.js', { type: 'module' }));
  const encryption = new MeetingEncryption({ meetingId, request: (m) => signalling.request(m), worker: createWorker(), ...(deviceIdentity ? { deviceIdentity } : {}) });
  encryption.on('chat', (m) => state.handleChat(m));
  encryption.on('signal', (m) => signals.handleSignal(m, (id) => state.participants.get(id)?.role));
  let members = new Set<string>();
  encryption.on('changed', (snapshot) => {
    const grew = snapshot.members.some((id) => !members.has(id));
    members = new Set(snapshot.members);
    if (grew) wiring.onMembersGrew();
  });
  return encryption;
}
