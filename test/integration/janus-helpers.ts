/**
 * Synthetic WebRTC clients (werift) and small utilities for tests against a real Janus.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { lanInterface as findLanInterface } from '../../src/server/local-network.ts';
import { join } from 'node:path';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import type { MediaRoom, MediaSubscriber, MediaPublisher, TrackKind } from '../../src/media/engine.ts';
import { gathered } from '../helpers/synthetic/werift-peer.ts';

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
  const { publisher, answerSdp } = await room.publish(publisherId, withBrowserAudioOffer(pc.localDescription!.sdp));
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  return {
    pc, publisher, answerSdp, tracks,
    startSending() {
      let seq = 0;
      let ts = 0;
      // The payload ends with `#<publisherId>`, so a subscriber can tell whose packets a re-pointed slot carries.
      const tag = Buffer.from(`#${publisherId}`);
      const vp8Key = Buffer.concat([Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...new Array(40).fill(0)]), tag]);
      const opus = Buffer.concat([Buffer.alloc(60, 1), tag]);
      const timer = setInterval(() => {
        seq = (seq + 1) & 0xffff;
        ts = (ts + 960) >>> 0;
        tracks.audio.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, marker: false }), opus));
        tracks.video.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts * 2, marker: true }), vp8Key));
      }, 20);
      return () => clearInterval(timer);
    },
  };
}

/**
 * werift offers Opus without an fmtp line or the audio-level extension; browsers offer both, and Janus
 * answers DTX/FEC and levels only to what was offered. This makes the offer say what a browser's says.
 */
export function withBrowserAudioOffer(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let inAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) inAudio = line.startsWith('m=audio');
    out.push(line);
    const opus = /^a=rtpmap:(\d+) opus\/48000\/2$/i.exec(line);
    if (inAudio && opus && !lines.some((l) => l.startsWith(`a=fmtp:${opus[1]} `))) {
      out.push(`a=fmtp:${opus[1]} minptime=10;useinbandfec=1`);
    }
    if (inAudio && line.startsWith('a=mid:')) out.push('a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level');
  }
  return out.join(eol);
}

export interface SyntheticSubscriber {
  pc: RTCPeerConnection;
  /** RTP packets received so far, by kind. */
  received: Record<TrackKind, number>;
  /** The SSRC of the last packet of each kind. */
  lastSsrc: Partial<Record<TrackKind, number>>;
  /** The publisher id tagged at the end of the last video payload (see publishSynthetic). */
  lastPayloadTag: string | undefined;
  /** Answers a (re)offer from Janus. */
  answerOffer(offerSdp: string): Promise<void>;
}

export function subscriberClient(subscriber: MediaSubscriber): SyntheticSubscriber {
  const pc = newPc();
  const received = { audio: 0, video: 0 };
  const client = {
    pc, received,
    lastSsrc: {} as Partial<Record<TrackKind, number>>,
    lastPayloadTag: undefined as string | undefined,
    async answerOffer(offerSdp: string) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      await subscriber.answer(pc.localDescription!.sdp);
    },
  };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((rtp) => {
      const kind = track.kind as TrackKind;
      received[kind]++;
      client.lastSsrc[kind] = rtp.header.ssrc;
      if (kind === 'video') {
        const text = rtp.payload.toString('latin1');
        const at = text.lastIndexOf('#');
        if (at >= 0) client.lastPayloadTag = text.slice(at + 1);
      }
    });
  });
  return client;
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
