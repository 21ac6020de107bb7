/**
 * Synthetic WebRTC clients (werift) and small utilities for tests against a real Janus.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { lanInterface as findLanInterface } from '../../src/server/local-network.ts';
import { join } from 'node:path';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import type { MediaRoom, MediaSubscriber, MediaPublisher, TrackKind } from '../../src/media/engine.ts';

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sabha-janus-'));
}

/**
 * The first non-loopback IPv4 interface: Janus gathers no loopback candidates, so even
 * a test on one machine has media go through a real interface's address (which the
 * kernel still delivers locally).
 */
/** This machine's LAN interface; the Janus tests need one (Janus gathers no loopback candidates). */
export function lanInterface(): { name: string; address: string } {
  const lan = findLanInterface();
  if (!lan) throw new Error('this machine has no non-loopback IPv4 interface, which Janus needs for ICE');
  return lan;
}

/** A random 1000-port window, so that parallel test runs rarely share ports. */
export function rtpRange(): { min: number; max: number } {
  const min = 20000 + Math.floor(Math.random() * 40) * 1000;
  return { min, max: min + 999 };
}

function newPc(): RTCPeerConnection {
  // max-bundle: one ICE transport per pc (werift leaves the extra m-line's sockets open otherwise).
  return new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, bundlePolicy: 'max-bundle' });
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') {
        unSubscribe();
        resolve();
      }
    });
  });
}

export function connected(pc: RTCPeerConnection, timeoutMs = 10_000): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not connected (${pc.connectionState})`)), timeoutMs);
    const { unSubscribe } = pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        unSubscribe();
        resolve();
      }
    });
  });
}

export interface SyntheticPublisher {
  pc: RTCPeerConnection;
  publisher: MediaPublisher;
  answerSdp: string;
  tracks: Record<TrackKind, MediaStreamTrack>;
  /** Sends an opus-sized audio packet and a VP8 key-frame-looking packet every 20 ms. */
  startSending(): () => void;
}

/** Offers sendonly opus + VP8 from werift, publishes it, and applies Janus's answer. */
export async function publishSynthetic(room: MediaRoom, publisherId: string): Promise<SyntheticPublisher> {
  const pc = newPc();
  const tracks = { audio: new MediaStreamTrack({ kind: 'audio' }), video: new MediaStreamTrack({ kind: 'video' }) };
  pc.addTransceiver(tracks.audio, { direction: 'sendonly' });
  pc.addTransceiver(tracks.video, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const { publisher, answerSdp } = await room.publish(publisherId, pc.localDescription!.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  return {
    pc, publisher, answerSdp, tracks,
    startSending() {
      let seq = 0;
      let ts = 0;
      const vp8Key = Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...new Array(40).fill(0)]);
      const timer = setInterval(() => {
        seq = (seq + 1) & 0xffff;
        ts = (ts + 960) >>> 0;
        tracks.audio.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, marker: false }), Buffer.alloc(60, 1)));
        tracks.video.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts * 2, marker: true }), vp8Key));
      }, 20);
      return () => clearInterval(timer);
    },
  };
}

export interface SyntheticSubscriber {
  pc: RTCPeerConnection;
  /** RTP packets received so far, by kind. */
  received: Record<TrackKind, number>;
  /** Answers a (re)offer from Janus. */
  answerOffer(offerSdp: string): Promise<void>;
}

export function subscriberClient(subscriber: MediaSubscriber): SyntheticSubscriber {
  const pc = newPc();
  const received = { audio: 0, video: 0 };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe(() => {
      received[track.kind as TrackKind]++;
    });
  });
  return {
    pc, received,
    async answerOffer(offerSdp: string) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      await subscriber.answer(pc.localDescription!.sdp);
    },
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function candidateAddresses(sdp: string): string[] {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) /gm)].map((m) => m[1]!);
}
