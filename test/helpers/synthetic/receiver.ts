/**
 * The receiving side of a synthetic participant: one werift subscriber peer connection that answers the SFU's
 * offers, follows which participant each mid carries (`subscriber-offer` tracks, then `subscriber-tracks` when
 * slots are re-pointed), reassembles VP8 frames and Opus frames, and opens each with the participant's own
 * FrameCryptor for the participant that mid shows (and the participants it showed just before, whose late frames
 * are expected), as the browser's receiver transform does. It counts, per sending participant, frames opened,
 * frames not opened and bytes received; the FrameCryptor's own counters tell decryption failures from the drops it
 * expects.
 *
 * Like a browser's video receiver, it asks for a key frame (PLI) while it has none that opened for a slot's
 * current participant: after joining, the first key frames the SFU forwards may be sealed under an epoch from
 * before we joined.
 *
 * Inputs: handleOffer(offer) (answers through `answer`), handleTracks(tracks), close().
 */
import { PictureLossIndication, RtcpPayloadSpecificFeedback, type RTCDtlsTransport, type RtpPacket } from 'werift';
import type { SubscribedTrack } from '../../../src/protocol/index.ts';
import type { FrameCryptor } from '../../../src/e2ee/worker/frame-cryptor.ts';
import { Vp8FrameAssembler, vp8KeyFrameSize } from './vp8-rtp.ts';
import { EXT, gathered, newPeer, raiseUdpBuffers, sdpSections } from './werift-peer.ts';

/** What arrived from one sending participant. */
export interface ReceivedFrom {
  videoFrames: number;
  audioFrames: number;
  /**
   * Frames that arrived whole but did not open: decryption failures, and the drops the FrameCryptor expects
   * (frames under an epoch from before we joined, frames of a slot's previous participant just after a switch).
   * `SyntheticReceiver.failures()` tells the failures apart.
   */
  notOpened: number;
  /** Frames lost in transport (a packet missing): never handed to the cryptor. */
  lostFrames: number;
  bytes: number;
  /** performance.now() of the first key frame that opened: the first frame a browser could show. */
  firstKeyFrameAt: number | undefined;
  /** Size of the latest key frame that opened (which simulcast layer arrives). */
  videoSize: { width: number; height: number } | undefined;
}

/** A browser's video receiver asks again for a key frame this often while it has none it can decode. */
const KEY_FRAME_REQUEST_INTERVAL_MS = 500;
/** Our SSRC as the sender of RTCP feedback (the subscriber sends no media). */
const FEEDBACK_SSRC = 1;

interface Slot {
  track: SubscribedTrack | undefined;
  readonly assembler: Vp8FrameAssembler;
  /** Until a key frame of the slot's current participant opens, key frames are asked for (PLI), as a browser does. */
  keyFrameOpened: boolean;
  lastKeyFrameRequestAt: number;
  /** Participants this slot showed before, and when it stopped (the cryptor's clock): their late frames are expected. */
  readonly formerSenders: Map<string, number>;
}

export class SyntheticReceiver {
  readonly pc = newPeer();
  readonly from = new Map<string, ReceivedFrom>();
  /** Every RTP byte received (header and payload), for the downlink. */
  totalBytes = 0;
  totalPackets = 0;
  /** PLIs sent: key frames asked for because none could be opened yet. */
  keyFrameRequests = 0;
  /** performance.now() of the first RTP packet. */
  firstPacketAt: number | undefined;
  readonly #cryptor: FrameCryptor;
  readonly #answer: (sdp: string) => Promise<void>;
  readonly #slots = new Map<string, Slot>();
  readonly #midBySsrc = new Map<number, string>();
  readonly #transports = new WeakSet<RTCDtlsTransport>();
  #midExtension = 0;
  #closed = false;

  constructor(cryptor: FrameCryptor, answer: (sdp: string) => Promise<void>) {
    this.#cryptor = cryptor;
    this.#answer = answer;
  }

  async handleOffer(sdp: string, tracks: readonly SubscribedTrack[]): Promise<void> {
    if (this.#closed) return;
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    this.#midBySsrc.clear();
    for (const section of sdpSections(sdp)) {
      if (section.mid === undefined) continue;
      for (const ssrc of section.ssrcs) this.#midBySsrc.set(ssrc, section.mid);
    }
    this.handleTracks(tracks);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    const answer = this.pc.localDescription!.sdp;
    this.#midExtension = sdpSections(answer).find((s) => s.extensions.has(EXT.mid))?.extensions.get(EXT.mid) ?? 0;
    for (const transceiver of this.pc.getTransceivers()) {
      const transport = transceiver.receiver.dtlsTransport;
      if (transport === undefined || this.#transports.has(transport)) continue;
      this.#transports.add(transport);
      transport.onRtp.subscribe((rtp) => this.#onRtp(rtp));
      transport.onStateChange.subscribe((state) => {
        if (state === 'connected') raiseUdpBuffers(this.pc);
      });
    }
    await this.#answer(answer);
  }

  /** The complete map of mids to what they carry now; a mid not listed is idle. */
  handleTracks(tracks: readonly SubscribedTrack[]): void {
    const listed = new Map(tracks.map((t) => [t.mid, t]));
    const now = this.#cryptor.now();
    for (const [mid, slot] of this.#slots) {
      const next = listed.get(mid);
      if (slot.track !== undefined && slot.track.participantId !== next?.participantId) slot.formerSenders.set(slot.track.participantId, now);
      if (next === undefined) slot.track = undefined;
    }
    for (const track of tracks) {
      const slot = this.#slots.get(track.mid);
      // A re-pointed slot starts a new stream: nothing half-assembled carries over.
      if (slot === undefined || slot.track?.participantId !== track.participantId) {
        this.#slots.set(track.mid, { track, assembler: new Vp8FrameAssembler(), keyFrameOpened: false, lastKeyFrameRequestAt: -Infinity, formerSenders: slot?.formerSenders ?? new Map() });
      } else {
        slot.track = track;
      }
    }
  }

  /** Decryption failures, as the FrameCryptor counts them (the drops it expects are not failures). */
  failures(): number {
    return this.#cryptor.stats().droppedUndecryptable;
  }

  /** Drops the FrameCryptor expects: frames under an epoch before we joined, or of a slot's previous participant. */
  expectedDrops(): number {
    return (this.#cryptor.stats() as { droppedExpected?: number }).droppedExpected ?? 0;
  }

  /** Totals over every sender. */
  totals(): { videoFrames: number; audioFrames: number; notOpened: number; lostFrames: number; bytes: number } {
    const sum = { videoFrames: 0, audioFrames: 0, notOpened: 0, lostFrames: 0, bytes: 0 };
    for (const r of this.from.values()) {
      sum.videoFrames += r.videoFrames;
      sum.audioFrames += r.audioFrames;
      sum.notOpened += r.notOpened;
      sum.lostFrames += r.lostFrames;
      sum.bytes += r.bytes;
    }
    return sum;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pc.close();
  }

  #onRtp(rtp: RtpPacket): void {
    if (this.#closed) return;
    const size = rtp.header.serializeSize + rtp.payload.length;
    this.totalBytes += size;
    this.totalPackets++;
    this.firstPacketAt ??= performance.now();
    let mid = this.#midBySsrc.get(rtp.header.ssrc);
    if (mid === undefined && this.#midExtension !== 0) {
      const ext = rtp.header.extensions.find((e) => e.id === this.#midExtension);
      if (ext !== undefined) mid = ext.payload.toString();
    }
    const slot = mid === undefined ? undefined : this.#slots.get(mid);
    const track = slot?.track;
    if (slot === undefined || track === undefined) return;
    const from = this.#fromParticipant(track.participantId);
    from.bytes += size;
    if (track.kind === 'audio') {
      void this.#open(rtp.payload, track.participantId, 'audio', from, slot.formerSenders);
      return;
    }
    if (!slot.keyFrameOpened) this.#requestKeyFrame(slot, rtp);
    const lostBefore = slot.assembler.lostFrames;
    const frame = slot.assembler.push(rtp.header.sequenceNumber, rtp.header.timestamp, rtp.header.marker, rtp.payload);
    from.lostFrames += slot.assembler.lostFrames - lostBefore;
    if (frame !== null) void this.#open(frame, track.participantId, 'video', from, slot.formerSenders, slot);
  }

  /**
   * A PLI for this slot's stream, at most every KEY_FRAME_REQUEST_INTERVAL_MS: the frames we cannot open (sealed
   * under an epoch from before we joined, or cut off at a switch) leave a decoder without a key frame.
   */
  #requestKeyFrame(slot: Slot, rtp: RtpPacket): void {
    const now = performance.now();
    if (now - slot.lastKeyFrameRequestAt < KEY_FRAME_REQUEST_INTERVAL_MS) return;
    slot.lastKeyFrameRequestAt = now;
    const transport = this.pc.getTransceivers()[0]?.receiver.dtlsTransport;
    if (transport === undefined || transport.state !== 'connected') return;
    const pli = new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: FEEDBACK_SSRC, mediaSsrc: rtp.header.ssrc }) });
    void transport.sendRtcp([pli]).catch(() => undefined);
    this.keyFrameRequests++;
  }

  async #open(frame: Uint8Array, participantId: string, kind: 'audio' | 'video', from: ReceivedFrom, formerSenders: Map<string, number>, slot?: Slot): Promise<void> {
    const opened = await this.#cryptor.decryptFrame(frame, participantId, kind, formerSenders);
    if (opened === null) {
      from.notOpened++;
      return;
    }
    if (kind === 'audio') {
      from.audioFrames++;
      return;
    }
    from.videoFrames++;
    const size = vp8KeyFrameSize(opened);
    if (size !== null) {
      if (slot !== undefined && slot.track?.participantId === participantId) slot.keyFrameOpened = true;
      from.videoSize = size;
      from.firstKeyFrameAt ??= performance.now();
    }
  }

  #fromParticipant(participantId: string): ReceivedFrom {
    let from = this.from.get(participantId);
    if (from === undefined) {
      from = { videoFrames: 0, audioFrames: 0, notOpened: 0, lostFrames: 0, bytes: 0, firstKeyFrameAt: undefined, videoSize: undefined };
      this.from.set(participantId, from);
    }
    return from;
  }
}
