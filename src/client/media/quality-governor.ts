/**
 * Congestion control on the receiving side: when this browser's downlink loses packets, it asks for
 * lower simulcast layers (a cap on every video's quality), and raises the cap again, one step at a time,
 * once the link has been clean for a while. Janus already drops to a lower layer when a layer stops
 * arriving; this handles the link that still delivers, but too much for its capacity.
 *
 * Inputs: `sample(received, lost)` with the subscriber's cumulative video packet counters, every
 * SAMPLE_INTERVAL_MS. Output: `cap` events.
 */
import type { VideoQuality } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';

export const SAMPLE_INTERVAL_MS = 2_000;
/** Loss above this in a sample counts as congestion; two such samples in a row step the cap down. */
const CONGESTED_LOSS = 0.08;
/** Loss below this counts as clean; this many clean samples in a row step the cap up. */
const CLEAN_LOSS = 0.02;
const CLEAN_SAMPLES_TO_RAISE = 5;
/** Fewer packets than this in a sample tell nothing either way. */
const MIN_PACKETS = 50;

const STEPS: readonly VideoQuality[] = ['low', 'medium', 'high'];

export type QualityGovernorEvents = {
  cap: [quality: VideoQuality];
};

export class QualityGovernor extends Emitter<QualityGovernorEvents> {
  #cap: VideoQuality = 'high';
  #last: { received: number; lost: number } | null = null;
  #congested = 0;
  #clean = 0;

  get cap(): VideoQuality {
    return this.#cap;
  }

  sample(received: number, lost: number): void {
    const last = this.#last;
    this.#last = { received, lost };
    if (!last || received < last.received) return; // first sample, or counters restarted
    const dReceived = received - last.received;
    const dLost = Math.max(0, lost - last.lost);
    if (dReceived + dLost < MIN_PACKETS) return;
    const loss = dLost / (dReceived + dLost);
    if (loss > CONGESTED_LOSS) {
      this.#clean = 0;
      if (++this.#congested >= 2) {
        this.#congested = 0;
        this.#step(-1);
      }
    } else if (loss < CLEAN_LOSS) {
      this.#congested = 0;
      if (++this.#clean >= CLEAN_SAMPLES_TO_RAISE) {
        this.#clean = 0;
        this.#step(+1);
      }
    } else {
      this.#congested = 0;
      this.#clean = 0;
    }
  }

  reset(): void {
    this.#last = null;
    this.#congested = 0;
    this.#clean = 0;
    this.#step(STEPS.length);
  }

  #step(direction: number): void {
    const index = Math.max(0, Math.min(STEPS.length - 1, STEPS.indexOf(this.#cap) + direction));
    const next = STEPS[index]!;
    if (next === this.#cap) return;
    this.#cap = next;
    this.emit('cap', next);
  }
}

/** The subscriber connection's cumulative inbound video packets received and lost, from one stats report. */
export function inboundVideoCounters(report: RTCStatsReport): { received: number; lost: number } {
  let received = 0;
  let lost = 0;
  report.forEach((r: { type: string; kind?: string; packetsReceived?: number; packetsLost?: number }) => {
    if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
    received += r.packetsReceived ?? 0;
    lost += Math.max(0, r.packetsLost ?? 0);
  });
  return { received, lost };
}
