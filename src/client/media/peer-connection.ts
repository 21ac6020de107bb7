/**
 * How the SDK makes its peer connections, and the point where end-to-end encryption
 * attaches to every sender and receiver.
 *
 * Browsers with `RTCRtpScriptTransform` (Firefox, Safari, Chromium ≥ 141) take a
 * transform per sender/receiver at any time. Older Chromium only has the legacy
 * "insertable streams" API, which must be switched on when the peer connection is
 * made; once on, frames flow only if someone pipes them, so the default hook then
 * pipes them through untouched.
 */
import type { MediaSource } from '../../protocol/index.ts';

export type MediaKind = 'audio' | 'video';

/**
 * Called once for each sender when it is created and for each receiver whenever the
 * participant behind it changes. `participantId` is the sender's own id for senders.
 */
export type TransformHook = (endpoint: RTCRtpSender | RTCRtpReceiver, kind: MediaKind, participantId: string, source: MediaSource) => void;

export function hasScriptTransform(): boolean {
  return typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function';
}

/** True when peer connections must be created with `encodedInsertableStreams`. */
export function needsLegacyInsertableStreams(): boolean {
  if (hasScriptTransform()) return false;
  return typeof (RTCRtpSender.prototype as { createEncodedStreams?: unknown }).createEncodedStreams === 'function';
}

interface LegacyEncodedStreams {
  createEncodedStreams(): { readable: ReadableStream; writable: WritableStream };
}

/**
 * The hook in use when no E2EE layer is attached: frames pass unchanged. Legacy
 * streams can be taken only once per sender/receiver, hence the memory of who got them.
 */
export function createPassThroughHook(): TransformHook {
  const piped = new WeakSet<RTCRtpSender | RTCRtpReceiver>();
  return (endpoint) => {
    if (!needsLegacyInsertableStreams() || piped.has(endpoint)) return;
    piped.add(endpoint);
    const streams = (endpoint as unknown as LegacyEncodedStreams).createEncodedStreams();
    streams.readable.pipeTo(streams.writable).catch(() => {
      // The pipe ends when the sender/receiver stops; nothing to do.
    });
  };
}

export function createPeerConnection(): RTCPeerConnection {
  // Loopback/LAN deployments get their candidates from the SFU's SDP; no third-party STUN.
  const config: RTCConfiguration & { encodedInsertableStreams?: boolean } = {
    iceServers: [],
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
  if (needsLegacyInsertableStreams()) config.encodedInsertableStreams = true;
  return new RTCPeerConnection(config);
}

/** The signalling methods a media manager needs; the SignallingClient provides them, tests fake them. */
export interface SignalPort {
  send(message: import('../signalling-client.ts').OutgoingMessage): void;
  request(message: import('../signalling-client.ts').OutgoingMessage): Promise<import('../../protocol/index.ts').ServerMessage>;
}

export function candidateToWire(candidate: RTCIceCandidate | null) {
  if (!candidate || !candidate.candidate) return null;
  return { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
}
