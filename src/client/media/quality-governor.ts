/**
 * Congestion control on the receiving side: when this browser's downlink loses packets, it asks for
 * lower simulcast layers (a cap on every video's quality), and raises the cap again, one step at a time,
 * once the link has been clean for a while. Janus already drops to a lower layer when a layer stops
 * arriving; this handles the link that still delivers, but too much for its capacity.
 *
 * A raise is a probe: on a link that cannot carry the higher layer, its video stops decoding (packets are
 * lost faster than NACK and key-frame requests repair them) until the cap comes down again. So a raise is
 * on trial for its first RAISE_TRIAL_SAMPLES samples: one congested sample then undoes it at once (not two),
 * and the clean stretch before the next raise doubles (up to MAX_CLEAN_SAMPLES_TO_RAISE), so a narrow link
 * freezes briefly and ever more rarely instead of for several seconds every few seconds. A raise that
 * passes its trial resets the stretch.
 *
 * Steps down start from what is really received (the ceiling: the best quality any tile asks for), so the
 * first step down lowers a layer instead of lowering an unused cap from high to medium.
 *
 * Inputs: `sample(received, lost)` with the subscriber's cumulative video packet counters, every
 * SAMPLE_INTERVAL_MS; `setCeiling(quality)` when the tiles change. Output: `cap` events.
 */
import type { VideoQuality } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';

export const SAMPLE_INTERVAL_MS = 2_000;
/** Loss above this in a sample counts as congestion; two such samples in a row step the cap down. */
const CONGESTED_LOSS = 0.08;
/** Loss below this counts as clean; this many clean samples in a row step the cap up. */
const CLEAN_LOSS = 0.02;
const CLEAN_SAMPLES_TO_RAISE = 5;
/** The longest clean stretch a raise waits for after failed ones: 2 minutes. */
const MAX_CLEAN_SAMPLES_TO_RAISE = 60;
/** Samples after a raise during which one congested sample undoes it. */
const RAISE_TRIAL_SAMPLES = 3;
/** Fewer packets than this in a sample tell nothing either way. */
const MIN_PACKETS = 50;

const STEPS: readonly VideoQuality[] = ['low', 'medium', 'high'];

export type QualityGovernorEvents = {
  cap: [quality: VideoQuality];
};

export class QualityGovernor extends Emitter<QualityGovernorEvents> {
  #cap: VideoQuality = 'high';
  #ceiling: VideoQuality;
  #last: { received: number; lost: number } | null = null;
  #congested = 0;
  #clean = 0;
  #cleanToRaise = CLEAN_SAMPLES_TO_RAISE;
  /** Samples left in the trial of the last raise; 0 when no raise is on trial. */
  #trial = 0;

  /** `ceiling`: the best quality the tiles ask for at first (see setCeiling). */
  constructor(ceiling: VideoQuality = 'high') {
    super();
    this.#ceiling = ceiling;
  }

  get cap(): VideoQuality {
    return this.#cap;
  }

  /** The best quality the tiles ask for now (before the cap). */
  setCeiling(quality: VideoQuality): void {
    this.#ceiling = quality;
  }

  sample(received: number, lost: number): void {
    const last = this.#last;
    this.#last = { received, lost };
    if (!last || received < last.received) return; // first sample, or counters restarted
    const dReceived = received - last.received;
    const dLost = Math.max(0, lost - last.lost);
    if (dReceived + dLost < MIN_PACKETS) return;
    const loss = dLost / (dReceived + dLost);
    const onTrial = this.#trial > 0;
    if (onTrial) this.#trial--;
    if (loss > CONGESTED_LOSS) {
      this.#clean = 0;
      if (onTrial) {
        // The link could not carry the raised layer: back down now, and wait longer before trying again.
        this.#trial = 0;
        this.#congested = 0;
        this.#cleanToRaise = Math.min(MAX_CLEAN_SAMPLES_TO_RAISE, this.#cleanToRaise * 2);
        this.#step(-1);
      } else if (++this.#congested >= 2) {
        this.#congested = 0;
        this.#step(-1);
      }
    } else if (loss < CLEAN_LOSS) {
      this.#congested = 0;
      if (onTrial && this.#trial === 0) this.#cleanToRaise = CLEAN_SAMPLES_TO_RAISE; // the raise held
      if (++this.#clean >= this.#cleanToRaise) {
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
    this.#trial = 0;
    this.#cleanToRaise = CLEAN_SAMPLES_TO_RAISE;
    this.#set(STEPS[STEPS.length - 1]!);
  }

  #step(direction: -1 | 1): void {
    const cap = STEPS.indexOf(this.#cap);
    const ceiling = STEPS.indexOf(this.#ceiling);
    // Down from what is received; up from the cap, a probe only if it raises what is received.
    const from = direction < 0 ? Math.min(cap, ceiling) : cap;
    const index = Math.max(0, Math.min(STEPS.length - 1, from + direction));
    if (direction > 0 && index <= ceiling && index !== cap) this.#trial = RAISE_TRIAL_SAMPLES;
    this.#set(STEPS[index]!);
  }

  #set(next: VideoQuality): void {
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
