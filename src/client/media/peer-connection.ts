/**
 * How the SDK makes its peer connections, and the point where end-to-end encryption
 * attaches to every sender and receiver.
 *
 * Browsers with `RTCRtpScriptTransform` (Firefox, Safari, Chromium ≥ 141) take a
 * transform per sender/receiver at any time. Older Chromium only has the legacy
 * "insertable streams" API, which must be switched on when the peer connection is
 * made; once on, frames flow only if someone pipes them: the E2EE worker does, for
 * every sender and receiver (src/e2ee/session/worker-link.ts). Both paths are tested
 * (test/browser/legacy-transform.test.ts, test/browser/mixed-browsers.test.ts); docs/e2ee-media.md
 * "Browsers" says why the legacy one stays.
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

/**
 * The TURN relay the server granted (the `ice-servers` message, renewed before it expires). Peer connections
 * made with it get each renewal too, so an ICE restart or a new relay allocation uses a valid credential.
 */
export class IceServerList {
  #servers: RTCIceServer[] = [];
  readonly #connections = new Set<RTCPeerConnection>();

  get current(): RTCIceServer[] {
    return this.#servers;
  }

  set(servers: RTCIceServer[]): void {
    this.#servers = servers;
    for (const pc of this.#connections) {
      if (pc.connectionState === 'closed') this.#connections.delete(pc);
      else {
        try {
          pc.setConfiguration({ ...pc.getConfiguration(), iceServers: servers });
        } catch {
          // A connection the browser will not reconfigure keeps its credential; its allocation lives on.
        }
      }
    }
  }

  track(pc: RTCPeerConnection): void {
    this.#connections.add(pc);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'closed') this.#connections.delete(pc);
    });
  }
}

export function createPeerConnection(iceServers?: IceServerList): RTCPeerConnection {
  // Candidates come from the SFU's SDP, plus the organisation's own TURN relay when granted; no third-party STUN.
  const config: RTCConfiguration & { encodedInsertableStreams?: boolean } = {
    iceServers: iceServers?.current ?? [],
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
  if (needsLegacyInsertableStreams()) config.encodedInsertableStreams = true;
  const pc = new RTCPeerConnection(config);
  iceServers?.track(pc);
  return pc;
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
