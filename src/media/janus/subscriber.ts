/**
 * A multistream subscriber: one VideoRoom handle, one browser peer connection, a bounded set of
 * slots (m-lines) that carry whichever publishers' streams the participant wants now. Janus makes
 * every offer; the browser answers.
 *
 * Slots are reused: a slot whose stream is no longer wanted is re-pointed with VideoRoom `switch`
 * (no renegotiation; Janus asks the new publisher for a key frame), or paused with `send: false`
 * when nothing is left for it, so the browser receives only what it shows. Only when a kind has
 * more wanted streams than slots does an `update` add m-lines, which needs a new offer.
 *
 * Requests run one at a time (a queue), because each request depends on the slots the previous
 * one left behind. It ends as its handle does (handle-lifecycle.ts): `close()` by us, or lost
 * (room destroyed, detached, engine down), which emits `hangup` with the reason.
 */
import { EventEmitter } from 'node:events';
import Janode from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle, type VideoRoomStream } from 'janode/plugins/videoroom';
import type { IceCandidateInit, MediaSubscriber, MediaSubscriberEvents, SimulcastLayer, SubscriberTrack, TrackKind, WantedStream } from '../engine.ts';
import type { JanusLink } from './link.ts';
import { toJanusCandidate } from './candidate.ts';
import { SerialQueue } from '../../events/serial-queue.ts';
import { HandleLifecycle } from './handle-lifecycle.ts';

export interface SubscriberOwner {
  readonly link: JanusLink;
  readonly numericId: number;
  readonly pin: string;
  feedOf(publisherId: string): number | undefined;
  /** The publisher's own mid for that kind, which Janus needs to pick one stream of a feed. */
  publisherMid(publisherId: string, kind: TrackKind): string | undefined;
  publisherUp(publisherId: string): Promise<void> | undefined;
  publisherOf(feed: number): string | undefined;
  removeSubscriber(s: JanusSubscriber): void;
}

type Offer = { offerSdp: string; tracks: SubscriberTrack[] };

/** One m-line of the subscriber connection, as Janus's `streams` list and our own requests left it. */
interface Slot {
  readonly mid: string;
  readonly kind: TrackKind;
  publisherId: string;
  /** Whether Janus forwards to this slot (false: paused, idle). */
  sending: boolean;
  /** The simulcast layer asked for; undefined until configured. */
  layer: SimulcastLayer | undefined;
}

interface Resolved extends WantedStream {
  feed: number;
  feedMid: string;
}

/** Janus's default fallback (250 ms without packets on a layer drops to the one below) is kept. */
const key = (publisherId: string, kind: TrackKind) => `${kind}:${publisherId}`;

export class JanusSubscriber extends EventEmitter<MediaSubscriberEvents> implements MediaSubscriber {
  private readonly lifecycle: HandleLifecycle;
  private joined = false;
  /** Slots by mid, in Janus's order. */
  private slots = new Map<string, Slot>();
  /**
   * Streams asked for while Janus was still waiting for an answer ("updating"): they are in the
   * subscription although its `streams` list lags, so asking again must not add them twice.
   */
  private readonly pending = new Set<string>();
  /** The layer last asked for each wanted video, so that m-lines Janus adds later get it too. */
  private wantedLayers = new Map<string, SimulcastLayer>();
  private readonly queue = new SerialQueue();

  constructor(private readonly owner: SubscriberOwner, private readonly handle: VideoRoomHandle) {
    super();
    this.lifecycle = new HandleLifecycle({
      handle, link: owner.link, what: 'subscriber',
      ended: (end) => {
        this.owner.removeSubscriber(this);
        if (end.how === 'lost') this.emit('hangup', end.reason);
      },
    });
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_UPDATED, (data: { streams?: VideoRoomStream[]; jsep?: { type: string; sdp: string } }) => {
      // Unsolicited: Janus renegotiated by itself, typically because a publisher left.
      if (Array.isArray(data?.streams)) this.adopt(data.streams);
      if (data?.jsep?.type === 'offer') this.emit('offer', { offerSdp: data.jsep.sdp, tracks: this.tracks() });
      // m-lines asked for while Janus was busy ("updating") arrive here, at Janus's default (highest) layer.
      void this.serial(() => this.applyWantedLayers()).catch(() => undefined);
    });
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data: { reason?: unknown }) =>
      this.emit('hangup', typeof data?.reason === 'string' ? data.reason : 'hangup'));
    handle.on(Janode.EVENT.HANDLE_ICE_FAILED, () => this.emit('hangup', 'ice failed'));
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_DESTROYED, () => this.lost('room destroyed'));
  }

  setStreams(wanted: readonly WantedStream[], announce: (tracks: SubscriberTrack[]) => void): Promise<Offer | null> {
    return this.serial(async () => {
      const resolved = this.resolve(wanted);
      const link = this.owner.link;

      // 1. Slots that already carry a wanted stream keep it; the others are free.
      const byKey = new Map(resolved.map((w) => [key(w.publisherId, w.kind), w]));
      this.wantedLayers = new Map(resolved.flatMap((w) => (w.kind === 'video' && w.layer !== undefined ? [[key(w.publisherId, 'video'), w.layer] as const] : [])));
      const placed = new Set<string>();
      const free = new Set<Slot>();
      for (const slot of this.slots.values()) {
        const k = key(slot.publisherId, slot.kind);
        if (byKey.has(k) && !placed.has(k)) placed.add(k);
        else free.add(slot);
      }
      for (const k of this.pending) if (byKey.has(k)) placed.add(k);
      const unplaced = resolved.filter((w) => !placed.has(key(w.publisherId, w.kind)));
      // Janus refuses to subscribe or switch to a feed whose peer connection is not up yet.
      const newPublishers = [...new Set(unplaced.map((w) => w.publisherId))];
      await link.request(Promise.all(newPublishers.map((id) => this.owner.publisherUp(id))), 'publisher connection');
      this.assertOpen();

      // 2. Free slots of the right kind take new streams; the rest need new m-lines.
      const switches: { slot: Slot; to: Resolved }[] = [];
      const additions: Resolved[] = [];
      for (const w of unplaced) {
        const slot = [...free].find((s) => s.kind === w.kind);
        if (slot) {
          free.delete(slot);
          switches.push({ slot, to: w });
        } else {
          additions.push(w);
        }
      }
      for (const { slot, to } of switches) {
        slot.publisherId = to.publisherId;
        slot.layer = undefined;
        slot.sending = false; // resumed below, once switched
      }

      // 3. Tell the browser what the slots will carry before anything changes for it: a re-pointed
      //    or resumed slot's new frames then meet a receiver that expects their sender.
      const carrying = [...this.slots.values()].filter((slot) => !free.has(slot));
      const before = this.tracks();
      const after = carrying.map((s) => ({ mid: s.mid, kind: s.kind, publisherId: s.publisherId }));
      if (JSON.stringify(after) !== JSON.stringify(before)) announce(after);
      if (switches.length > 0) {
        const res = await link.request(this.handle.switch({
          streams: switches.map(({ slot, to }) => ({ feed: to.feed, mid: to.feedMid, sub_mid: slot.mid })),
        }), 'switch');
        if (Array.isArray(res.streams)) this.adopt(res.streams);
      }

      // 4. Pause what is left free; resume the slots that carry something (Janus asks their sender
      //    for a key frame); give every video slot its layer.
      const pausedMids = new Set([...free].map((f) => f.mid));
      const configure: { mid: string; send?: boolean; substream?: number }[] = [];
      for (const slot of this.slots.values()) {
        const w = byKey.get(key(slot.publisherId, slot.kind));
        if (!w || pausedMids.has(slot.mid)) {
          if (slot.sending) configure.push({ mid: slot.mid, send: false });
          slot.sending = false;
          continue;
        }
        const change: { mid: string; send?: boolean; substream?: number } = { mid: slot.mid };
        if (!slot.sending) change.send = true;
        if (slot.kind === 'video' && w.layer !== undefined && slot.layer !== w.layer) change.substream = w.layer;
        if (change.send === undefined && change.substream === undefined) continue;
        configure.push(change);
        slot.sending = true;
        if (change.substream !== undefined) slot.layer = w.layer;
      }
      if (configure.length > 0) await link.request(this.handle.configure({ streams: configure }), 'configure');

      // 5. More streams than slots: new m-lines, hence a new offer.
      if (additions.length === 0) return null;
      const subscribe = additions.map((w) => ({ feed: w.feed, mid: w.feedMid }));
      let res: { jsep?: { type: string; sdp: string }; streams?: VideoRoomStream[] };
      if (!this.joined) {
        res = await link.request(this.handle.joinSubscriber({
          room: this.owner.numericId, pin: this.owner.pin, streams: subscribe, autoupdate: true, use_msid: false,
        }), 'join subscriber');
        this.joined = true;
      } else {
        res = await link.request(this.handle.update({ subscribe }), 'update');
      }
      if (Array.isArray(res.streams)) this.adopt(res.streams);
      // No offer: Janus is still waiting for the answer to the previous offer ("updating") and
      // will send the combined one as an `offer` event.
      if (res.jsep?.type !== 'offer') {
        for (const w of additions) this.pending.add(key(w.publisherId, w.kind));
        return null;
      }
      await this.applyWantedLayers();
      return { offerSdp: res.jsep.sdp, tracks: this.tracks() };
    });
  }

  answer(answerSdp: string): Promise<void> {
    return this.serial(async () => {
      if (typeof answerSdp !== 'string' || !answerSdp.startsWith('v=0')) throw new TypeError('answer is not an SDP');
      if (!this.joined) throw new Error('no offer to answer');
      await this.owner.link.request(this.handle.start({ jsep: { type: 'answer', sdp: answerSdp } }), 'start');
    });
  }

  async trickle(candidate: IceCandidateInit | null): Promise<void> {
    this.assertOpen();
    await this.owner.link.request(this.handle.trickle(toJanusCandidate(candidate)), 'trickle');
  }

  restartIce(): Promise<Offer> {
    return this.serial(async () => {
      if (!this.joined) throw new Error('subscriber has no peer connection yet');
      const res = await this.owner.link.request(this.handle.configure({ restart: true }), 'configure');
      if (Array.isArray(res.streams)) this.adopt(res.streams);
      if (res.jsep?.type !== 'offer') throw new Error('Janus gave no ICE restart offer');
      return { offerSdp: res.jsep.sdp, tracks: this.tracks() };
    });
  }

  /** Idempotent. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  /** The handle is gone without a Janus request of ours (room destroyed, Janus down). */
  lost(reason: string): void {
    this.lifecycle.lose(reason);
  }

  /** What the browser receives: slots that are sending. A paused slot is idle and not listed. */
  private tracks(): SubscriberTrack[] {
    return [...this.slots.values()].filter((s) => s.sending).map((s) => ({ mid: s.mid, kind: s.kind, publisherId: s.publisherId }));
  }

  private resolve(wanted: readonly WantedStream[]): Resolved[] {
    const out = new Map<string, Resolved>();
    for (const w of wanted) {
      if (typeof w?.publisherId !== 'string' || (w.kind !== 'audio' && w.kind !== 'video')) throw new TypeError('invalid stream');
      const feed = this.owner.feedOf(w.publisherId);
      const feedMid = this.owner.publisherMid(w.publisherId, w.kind);
      if (feed === undefined || feedMid === undefined) throw new TypeError('unknown publisher stream');
      out.set(key(w.publisherId, w.kind), { ...w, feed, feedMid });
    }
    return [...out.values()];
  }

  /** New m-lines start at Janus's default layer (the highest): give every video slot the layer asked for. */
  private async applyWantedLayers(): Promise<void> {
    const configure: { mid: string; substream: number }[] = [];
    for (const slot of this.slots.values()) {
      const layer = slot.kind === 'video' ? this.wantedLayers.get(key(slot.publisherId, 'video')) : undefined;
      if (layer === undefined || slot.layer === layer) continue;
      slot.layer = layer;
      configure.push({ mid: slot.mid, substream: layer });
    }
    if (configure.length > 0) await this.owner.link.request(this.handle.configure({ streams: configure }), 'configure');
  }

  /**
   * Janus's `streams` list is the truth about which m-lines exist and which feed each carries.
   * An inactive m-line (its publisher left) is no slot any more; Janus recycles it on a later update.
   */
  private adopt(streams: VideoRoomStream[]): void {
    const slots = new Map<string, Slot>();
    for (const s of streams) {
      if (s.active === false || typeof s.feed_id !== 'number' || typeof s.mid !== 'string') continue;
      if (s.type !== 'audio' && s.type !== 'video') continue;
      const publisherId = this.owner.publisherOf(s.feed_id);
      if (publisherId === undefined) continue;
      const previous = this.slots.get(s.mid);
      const same = previous?.publisherId === publisherId;
      slots.set(s.mid, {
        mid: s.mid,
        kind: s.type,
        publisherId,
        sending: typeof s.send === 'boolean' ? s.send : previous?.sending ?? true,
        layer: same ? previous.layer : undefined,
      });
    }
    this.slots = slots;
    for (const slot of slots.values()) this.pending.delete(key(slot.publisherId, slot.kind));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      this.assertOpen();
      return op();
    });
  }

  private assertOpen(): void {
    this.lifecycle.assertOpen();
  }
}
