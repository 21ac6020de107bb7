/**
 * A synthetic camera and microphone: one werift peer connection publishing Opus and VP8 from the committed
 * fixtures, every frame sealed by the participant's own FrameCryptor (encryptFrame, as the browser's encoded
 * transform does: the VP8 payload header stays clear), then packetized as a browser does (RFC 7741 descriptor
 * with picture ids, one Opus frame per packet) and written to the SRTP transport.
 *
 * Simulcast: three VP8 layers (180p, 360p, 720p) on three SSRCs, announced by RID (`a=rid` + `a=simulcast`,
 * listed high to low, Janus's default order), each packet carrying the mid and RID header extensions as
 * Chromium's do. werift has no simulcast sender, so this class writes RTP itself. Without simulcast, one
 * 360p layer goes out on werift's SSRC.
 *
 * Audio carries the RFC 6464 level extension when the SFU's answer accepts it (talking: loud; silent: 127).
 * A silent microphone with DTX sends one silence frame every 400 ms, as Opus DTX does; without DTX, one every
 * 20 ms.
 *
 * Until the first `send-layers`, only the lowest layer is sent, as the browser client does (src/client/media/
 * simulcast.ts INITIAL_ACTIVE).
 *
 * Inputs: tick(now) from the MediaClock; setTalking(); setLayers(active) (`send-layers`); a PLI or FIR from
 * the SFU restarts that layer's clip at its key frame (at most every 500 ms); close().
 */
import { randomInt } from 'node:crypto';
import { RTCRtpHeaderExtensionParameters, RtcpPayloadSpecificFeedback, RtpHeader, type RTCDtlsTransport, type RTCPeerConnection, type RTCRtpTransceiver, MediaStreamTrack } from 'werift';
import type { FrameCryptor } from '../../../src/e2ee/worker/frame-cryptor.ts';
import type { IvfClip } from './ivf.ts';
import { AUDIO_FRAME_MS, sharedClock, type ClockedSender, type MediaClock } from './media-clock.ts';
import type { MediaFixtures } from './media-fixtures.ts';
import { packetizeVp8 } from './vp8-rtp.ts';
import { EXT, connected, gathered, newPeer, raiseUdpBuffers, sdpSections, withoutSsrcLines } from './werift-peer.ts';

const VIDEO_CLOCK_HZ = 90_000;
const DTX_INTERVAL_MS = 400;
const KEY_FRAME_MIN_INTERVAL_MS = 500;
/** RFC 6464 level (-dBov) of the talking fixture: loud. */
const TALKING_LEVEL = 10;
const SILENT_LEVEL = 127;
/** RIDs in the order of `send-layers` (low, medium, high). */
const RIDS = ['l', 'm', 'h'] as const;

export interface CameraOptions {
  readonly cryptor: FrameCryptor;
  readonly fixtures: MediaFixtures;
  /** Sends the offer through signalling and returns the SFU's answer. */
  readonly publish: (offerSdp: string) => Promise<string>;
  readonly simulcast: boolean;
  readonly talking?: boolean;
  readonly dtx?: boolean;
  readonly clock?: MediaClock;
}

export interface CameraStats {
  audioFrames: number;
  /** Frames sent per layer (low, medium, high). */
  videoFrames: [number, number, number];
  packets: number;
  bytes: number;
  /** Frames the FrameCryptor would not seal (no key yet): never sent. */
  notSealed: number;
  keyFramesOnRequest: number;
}

interface Layer {
  readonly index: number;
  readonly clip: IvfClip;
  readonly ssrc: number;
  readonly rid: string | undefined;
  active: boolean;
  next: number;
  seq: number;
  pictureId: number;
  lastKeyFrameAt: number;
  /** Frames go out one at a time, in order: sealing is asynchronous. */
  queue: Promise<void>;
}

export class SyntheticCamera implements ClockedSender {
  readonly pc: RTCPeerConnection;
  readonly stats: CameraStats = { audioFrames: 0, videoFrames: [0, 0, 0], packets: 0, bytes: 0, notSealed: 0, keyFramesOnRequest: 0 };
  readonly #options: CameraOptions;
  readonly #clock: MediaClock;
  readonly #layers: Layer[];
  #transport: RTCDtlsTransport | undefined;
  #audio = { ssrc: 0, pt: 0, seq: randomInt(0, 0xffff), timestamp: randomInt(0, 2 ** 31), frame: 0, lastSentAt: -Infinity, queue: Promise.resolve() };
  #video = { pt: 0, timestamp: randomInt(0, 2 ** 31), nextAt: 0 };
  #ext = { audioMid: 0, audioLevel: 0, videoMid: 0, rid: 0 };
  #mids = { audio: '', video: '' };
  #talking: boolean;
  #closed = false;

  private constructor(pc: RTCPeerConnection, options: CameraOptions, layers: Layer[]) {
    this.pc = pc;
    this.#options = options;
    this.#clock = options.clock ?? sharedClock;
    this.#layers = layers;
    this.#talking = options.talking ?? false;
  }

  /** Offers, publishes through `options.publish`, waits for the connection, and starts sending. */
  static async start(options: CameraOptions): Promise<SyntheticCamera> {
    const pc = newPeer();
    const audio = pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
    const video = pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), {
      direction: 'sendonly',
      ...(options.simulcast ? { simulcast: [...RIDS].reverse().map((rid) => ({ rid, direction: 'send' as const })) } : {}),
    });
    // One id per extension across the bundle (RFC 8285): Janus reads the mid of a new SSRC with one id for the
    // whole peer connection, and werift would number the audio and video lists apart.
    audio.headerExtensions = [new RTCRtpHeaderExtensionParameters({ id: 1, uri: EXT.mid }), new RTCRtpHeaderExtensionParameters({ id: 2, uri: EXT.audioLevel })];
    video.headerExtensions = [new RTCRtpHeaderExtensionParameters({ id: 1, uri: EXT.mid }), new RTCRtpHeaderExtensionParameters({ id: 3, uri: EXT.rid })];
    const clips = options.fixtures.camera;
    const layers: Layer[] = (options.simulcast ? [0, 1, 2] : [1]).map((index) => ({
      index,
      clip: clips[index as 0 | 1 | 2],
      ssrc: options.simulcast ? randomInt(1, 2 ** 32 - 1) : video.sender.ssrc,
      rid: options.simulcast ? RIDS[index] : undefined,
      // As the browser client: until the server says who watches what, only the lowest layer is encoded.
      active: index === 0 || !options.simulcast,
      next: 0,
      seq: randomInt(0, 0xffff),
      pictureId: randomInt(0, 0x7fff),
      lastKeyFrameAt: -Infinity,
      queue: Promise.resolve(),
    }));
    const camera = new SyntheticCamera(pc, options, layers);
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      let offer = pc.localDescription!.sdp;
      // Simulcast layers are announced by RID: werift's single SSRC line would mislead the SFU.
      if (options.simulcast) offer = withoutSsrcLines(offer, video.mid!);
      const answer = await options.publish(offer);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      camera.#negotiated(answer, audio, video);
      await connected(pc);
      raiseUdpBuffers(pc);
    } catch (error) {
      await pc.close();
      throw error;
    }
    camera.#transport = video.sender.dtlsTransport;
    camera.#transport.onRtcp.subscribe((rtcp) => camera.#onRtcp(rtcp));
    camera.#video.nextAt = performance.now();
    camera.#clock.add(camera);
    return camera;
  }

  get talking(): boolean {
    return this.#talking;
  }

  setTalking(talking: boolean): void {
    this.#talking = talking;
  }

  /** `send-layers`: which layers (low, medium, high) anybody receives; a resumed layer starts at a key frame. */
  setLayers(active: readonly boolean[]): void {
    for (const layer of this.#layers) {
      const wanted = this.#layers.length === 1 ? active.some(Boolean) : active[layer.index] === true;
      if (wanted && !layer.active) layer.next = 0;
      layer.active = wanted;
    }
  }

  /** Which layers (low, medium, high) are being sent now. */
  activeLayers(): [boolean, boolean, boolean] {
    const out: [boolean, boolean, boolean] = [false, false, false];
    for (const layer of this.#layers) out[layer.index as 0 | 1 | 2] = layer.active;
    return out;
  }

  tick(now: number): void {
    if (this.#closed) return;
    this.#tickAudio(now);
    // 15 fps from the fixture; a late timer sends at most one frame now and skips the rest, like an encoder.
    const frameMs = 1000 / this.#layers[0]!.clip.frameRate;
    if (now >= this.#video.nextAt) {
      const behind = Math.floor((now - this.#video.nextAt) / frameMs);
      this.#video.nextAt += (behind + 1) * frameMs;
      this.#video.timestamp = (this.#video.timestamp + Math.round(((behind + 1) * VIDEO_CLOCK_HZ) / this.#layers[0]!.clip.frameRate)) >>> 0;
      for (const layer of this.#layers) if (layer.active) this.#sendVideoFrame(layer, this.#video.timestamp, now);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.remove(this);
    await this.pc.close();
  }

  #negotiated(answer: string, audio: RTCRtpTransceiver, video: RTCRtpTransceiver): void {
    const sections = sdpSections(answer);
    const a = sections.find((s) => s.mid === audio.mid);
    const v = sections.find((s) => s.mid === video.mid);
    if (a === undefined || v === undefined || a.port === 0 || v.port === 0) throw new Error('the SFU refused the camera or the microphone');
    const opus = a.payloadTypes.get('opus');
    const vp8 = v.payloadTypes.get('vp8');
    if (opus === undefined || vp8 === undefined) throw new Error('the SFU did not accept Opus and VP8');
    this.#audio.pt = opus;
    this.#audio.ssrc = audio.sender.ssrc;
    this.#video.pt = vp8;
    this.#mids = { audio: audio.mid!, video: video.mid! };
    this.#ext = {
      audioMid: a.extensions.get(EXT.mid) ?? 0,
      audioLevel: a.extensions.get(EXT.audioLevel) ?? 0,
      videoMid: v.extensions.get(EXT.mid) ?? 0,
      rid: v.extensions.get(EXT.rid) ?? 0,
    };
    if (this.#options.simulcast && (this.#ext.rid === 0 || this.#ext.videoMid === 0)) throw new Error('the SFU did not accept the mid and RID header extensions simulcast needs');
  }

  #tickAudio(now: number): void {
    const audio = this.#audio;
    const continuous = this.#talking || !(this.#options.dtx ?? true);
    // A millisecond of slack: the 20 ms timer fires a little early or late.
    if (now - audio.lastSentAt < (continuous ? AUDIO_FRAME_MS : DTX_INTERVAL_MS) - 1) return;
    const elapsed = audio.lastSentAt === -Infinity ? 1 : Math.max(1, Math.round(Math.min(now - audio.lastSentAt, 10_000) / AUDIO_FRAME_MS));
    audio.timestamp = (audio.timestamp + 960 * elapsed) >>> 0;
    audio.lastSentAt = now;
    const clip = this.#talking ? this.#options.fixtures.voice : this.#options.fixtures.silence;
    const frame = clip.packets[audio.frame++ % clip.packets.length]!;
    const level = this.#talking ? TALKING_LEVEL : SILENT_LEVEL;
    const timestamp = audio.timestamp;
    audio.queue = audio.queue.then(async () => {
      const sealed = await this.#options.cryptor.encryptFrame(frame, 'audio');
      if (sealed === null) {
        this.stats.notSealed++;
        return;
      }
      const extensions: { id: number; payload: Buffer }[] = [];
      if (this.#ext.audioMid) extensions.push({ id: this.#ext.audioMid, payload: Buffer.from(this.#mids.audio) });
      if (this.#ext.audioLevel) extensions.push({ id: this.#ext.audioLevel, payload: Buffer.from([0x80 | level]) });
      audio.seq = (audio.seq + 1) & 0xffff;
      this.stats.audioFrames++;
      await this.#write(new RtpHeader({ payloadType: audio.pt, sequenceNumber: audio.seq, timestamp, ssrc: audio.ssrc, marker: false, extensions }), Buffer.from(sealed));
    });
  }

  #sendVideoFrame(layer: Layer, timestamp: number, now: number): void {
    const frame = layer.clip.frames[layer.next]!;
    if (frame.keyFrame) layer.lastKeyFrameAt = now;
    layer.next = (layer.next + 1) % layer.clip.frames.length;
    layer.queue = layer.queue.then(async () => {
      const sealed = await this.#options.cryptor.encryptFrame(frame.data, 'video');
      if (sealed === null) {
        this.stats.notSealed++;
        return;
      }
      layer.pictureId = (layer.pictureId + 1) & 0x7fff;
      const payloads = packetizeVp8(sealed, layer.pictureId);
      const extensions: { id: number; payload: Buffer }[] = [];
      if (this.#ext.videoMid) extensions.push({ id: this.#ext.videoMid, payload: Buffer.from(this.#mids.video) });
      if (layer.rid !== undefined) extensions.push({ id: this.#ext.rid, payload: Buffer.from(layer.rid) });
      this.stats.videoFrames[layer.index as 0 | 1 | 2]++;
      for (let i = 0; i < payloads.length; i++) {
        layer.seq = (layer.seq + 1) & 0xffff;
        const header = new RtpHeader({ payloadType: this.#video.pt, sequenceNumber: layer.seq, timestamp, ssrc: layer.ssrc, marker: i === payloads.length - 1, extensions });
        await this.#write(header, payloads[i]!);
      }
    });
  }

  async #write(header: RtpHeader, payload: Buffer): Promise<void> {
    const transport = this.#transport;
    if (transport === undefined || this.#closed || transport.state !== 'connected') return;
    this.stats.packets++;
    this.stats.bytes += payload.length;
    await transport.sendRtp(payload, header);
  }

  #onRtcp(rtcp: unknown): void {
    if (!(rtcp instanceof RtcpPayloadSpecificFeedback)) return;
    const feedback = rtcp.feedback as { count: number; mediaSsrc: number; fir?: { ssrc: number }[] };
    // PLI (1) names the stream in mediaSsrc; FIR (4) in its entries.
    const ssrcs = feedback.count === 1 ? [feedback.mediaSsrc] : feedback.count === 4 ? (feedback.fir ?? []).map((f) => f.ssrc) : [];
    const now = performance.now();
    for (const layer of this.#layers) {
      if (!ssrcs.includes(layer.ssrc) || now - layer.lastKeyFrameAt < KEY_FRAME_MIN_INTERVAL_MS) continue;
      layer.next = 0;
      layer.lastKeyFrameAt = now;
      this.stats.keyFramesOnRequest++;
    }
  }
}
