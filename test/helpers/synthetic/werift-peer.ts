/**
 * werift peer connections as the synthetic participant uses them, and the little SDP reading it needs.
 * Field notes: werift needs no STUN server, a loopback host address and no IPv6 here, and larger UDP receive
 * buffers than the default, or it drops packets under load.
 */
import { RTCPeerConnection, useAudioLevelIndication, useSdesMid, useSdesRTPStreamId } from 'werift';

const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export function newPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    // One ICE transport per peer connection (werift leaves the extra m-lines' sockets open otherwise).
    bundlePolicy: 'max-bundle',
    headerExtensions: { audio: [useSdesMid(), useAudioLevelIndication()], video: [useSdesMid(), useSdesRTPStreamId()] },
  });
}

export function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        unSubscribe();
        resolve();
      }
    });
  });
}

export function connected(pc: RTCPeerConnection, timeoutMs = 15_000): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unSubscribe();
      reject(new Error(`peer connection not connected (${pc.connectionState})`));
    }, timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        unSubscribe();
        reject(new Error(`peer connection ${state}`));
      }
    });
  });
}

/** Raises the receive and send buffers of the peer connection's UDP sockets (werift has no option for it). */
export function raiseUdpBuffers(pc: RTCPeerConnection): void {
  for (const ice of pc.iceTransports) {
    const protocols = (ice.connection as unknown as { protocols?: { transport?: { socket?: import('node:dgram').Socket } }[] }).protocols ?? [];
    for (const protocol of protocols) {
      const socket = protocol.transport?.socket;
      if (socket === undefined) continue;
      try {
        socket.setRecvBufferSize(UDP_BUFFER_BYTES);
        socket.setSendBufferSize(UDP_BUFFER_BYTES);
      } catch {
        // Not bound yet or not a UDP socket: werift's default stays.
      }
    }
  }
}

export interface SdpSection {
  readonly kind: string;
  readonly mid: string | undefined;
  readonly port: number;
  readonly direction: string | undefined;
  /** Header extension URI -> id. */
  readonly extensions: Map<string, number>;
  /** Lower-case codec name (`opus`, `vp8`) -> payload type; the first one listed wins. */
  readonly payloadTypes: Map<string, number>;
  readonly ssrcs: number[];
}

export function sdpSections(sdp: string): SdpSection[] {
  const sections: { kind: string; mid: string | undefined; port: number; direction: string | undefined; extensions: Map<string, number>; payloadTypes: Map<string, number>; ssrcs: number[] }[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\S+) (\d+)/.exec(line);
    if (m) {
      sections.push({ kind: m[1]!, mid: undefined, port: Number(m[2]), direction: undefined, extensions: new Map(), payloadTypes: new Map(), ssrcs: [] });
      continue;
    }
    const section = sections.at(-1);
    if (section === undefined) continue;
    let match: RegExpExecArray | null;
    if ((match = /^a=mid:(\S+)/.exec(line))) section.mid = match[1]!;
    else if ((match = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line))) section.direction = match[1]!;
    else if ((match = /^a=extmap:(\d+)(?:\/\S+)? (\S+)/.exec(line))) section.extensions.set(match[2]!, Number(match[1]));
    else if ((match = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line))) {
      const name = match[2]!.toLowerCase();
      if (!section.payloadTypes.has(name)) section.payloadTypes.set(name, Number(match[1]));
    } else if ((match = /^a=ssrc:(\d+) /.exec(line))) {
      const ssrc = Number(match[1]);
      if (!section.ssrcs.includes(ssrc)) section.ssrcs.push(ssrc);
    }
  }
  return sections;
}

/** Removes the `a=ssrc`/`a=ssrc-group` lines of the m-section with this mid (its streams are announced by RID). */
export function withoutSsrcLines(sdp: string, mid: string): string {
  const lines = sdp.split('\r\n');
  let current: string | undefined;
  const inSection: boolean[] = [];
  let sectionStart = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('m=')) {
      sectionStart = i;
      current = undefined;
      for (let j = i + 1; j < lines.length && !lines[j]!.startsWith('m='); j++) {
        const m = /^a=mid:(\S+)/.exec(lines[j]!);
        if (m) current = m[1];
      }
    }
    inSection[i] = sectionStart >= 0 && current === mid;
  }
  return lines.filter((line, i) => !(inSection[i] && (line.startsWith('a=ssrc:') || line.startsWith('a=ssrc-group:')))).join('\r\n');
}

export const EXT = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
} as const;
