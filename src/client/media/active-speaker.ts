/**
 * Finds who is speaking, every ~300 ms, from what the browser already measures:
 * `getSynchronizationSources()` on each audio receiver (remote levels, no decoding
 * work of our own) and the `media-source` stats of the local microphone sender.
 * A speaker stays "active" for a short hold time after going quiet, so the
 * highlight does not flicker between words.
 */
import { Emitter } from '../../events/emitter.ts';

export interface AudioLevelSource {
  /** Remote audio receivers and whose audio each carries. */
  remoteAudio(): { participantId: string; receiver: RTCRtpReceiver }[];
  /** The local microphone sender, when publishing and unmuted. */
  localAudio(): { participantId: string; sender: RTCRtpSender } | null;
}

export interface ActiveSpeakerEvents {
  /** Levels are 0..1 (linear, as WebRTC reports them). */
  levels: [levels: ReadonlyMap<string, number>];
  'active-speaker': [participantId: string | null];
}

export interface ActiveSpeakerOptions {
  intervalMs?: number;
  /** Below this a participant counts as silent. */
  threshold?: number;
  holdMs?: number;
}

export class ActiveSpeakerDetector extends Emitter<ActiveSpeakerEvents> {
  #timer: ReturnType<typeof setInterval> | null = null;
  #active: string | null = null;
  #lastHeardAt = 0;
  #busy = false;

  constructor(
    readonly source: AudioLevelSource,
    readonly options: ActiveSpeakerOptions = {},
  ) {
    super();
  }

  get active(): string | null {
    return this.#active;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 300);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#setActive(null);
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const levels = new Map<string, number>();
      for (const { participantId, receiver } of this.source.remoteAudio()) {
        const level = receiver.getSynchronizationSources()[0]?.audioLevel ?? 0;
        levels.set(participantId, Math.max(level, levels.get(participantId) ?? 0));
      }
      const local = this.source.localAudio();
      if (local) levels.set(local.participantId, await localLevel(local.sender));
      this.emit('levels', levels);

      const threshold = this.options.threshold ?? 0.02;
      let loudest: string | null = null;
      let max = threshold;
      for (const [id, level] of levels) {
        if (level > max) {
          max = level;
          loudest = id;
        }
      }
      if (loudest) {
        this.#lastHeardAt = now;
        this.#setActive(loudest);
      } else if (now - this.#lastHeardAt > (this.options.holdMs ?? 1200)) {
        this.#setActive(null);
      }
    } finally {
      this.#busy = false;
    }
  }

  #setActive(id: string | null): void {
    if (id === this.#active) return;
    this.#active = id;
    this.emit('active-speaker', id);
  }
}

async function localLevel(sender: RTCRtpSender): Promise<number> {
  if (!sender.track || !sender.track.enabled) return 0;
  const stats = await sender.getStats();
  let level = 0;
  stats.forEach((report: { type: string; kind?: string; audioLevel?: number }) => {
    if (report.type === 'media-source' && report.kind === 'audio' && typeof report.audioLevel === 'number') level = report.audioLevel;
  });
  return level;
}
