/**
 * A browser's peer connection reduced to what the client SDK's media code touches, for unit tests in Node that
 * are about what is asked of the server (or of a sender), not about WebRTC itself. `installFakeMedia` puts it and
 * the other browser classes the SDK constructs in place for one test; the returned function restores them.
 */
export class FakePeerConnection extends EventTarget {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  onicecandidate: unknown = null;
  onconnectionstatechange: unknown = null;
  addTransceiver(_trackOrKind?: unknown, _init?: RTCRtpTransceiverInit): { sender: unknown } {
    return { sender: { track: null, getParameters: () => ({ encodings: [] }), setParameters: async () => {}, replaceTrack: async () => {} } };
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0 offer' };
  }
  async setLocalDescription() {
    this.signalingState = 'have-local-offer';
  }
  async setRemoteDescription() {
    this.signalingState = 'stable';
  }
  getSenders() {
    return [];
  }
  close() {
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }
}

/** Installs `peerConnection` (FakePeerConnection or a subclass) and stand-ins for MediaStream and RTCRtpScriptTransform. */
export function installFakeMedia(peerConnection: typeof FakePeerConnection = FakePeerConnection): () => void {
  const globals = globalThis as Record<string, unknown>;
  const saved = { RTCPeerConnection: globals.RTCPeerConnection, MediaStream: globals.MediaStream, RTCRtpScriptTransform: globals.RTCRtpScriptTransform };
  globals.RTCPeerConnection = peerConnection;
  globals.MediaStream = class {
    addTrack() {}
  };
  globals.RTCRtpScriptTransform = class {};
  return () => Object.assign(globals, saved);
}
