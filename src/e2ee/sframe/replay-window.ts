/**
 * Receiver-side anti-replay for one KID, after RFC 3711 section 3.3.2 as RFC 9605
 * section 9.3 suggests: remember the highest accepted CTR and, in a ring of bits,
 * which of the `size` counters at or below it were accepted. Anything older than the
 * window is refused because it can no longer be told apart from a replay.
 *
 * Frames reach SFrame out of order (separate audio and video jitter buffers, one
 * counter per sender across all its streams), so the window is far wider than
 * SRTP's 64 packets by default.
 */
export type ReplayVerdict = 'fresh' | 'duplicate' | 'too-old';

export const DEFAULT_REPLAY_WINDOW = 1024;

export class ReplayWindow {
  readonly size: number;
  readonly #bigSize: bigint;
  readonly #seen: Uint32Array;
  #highest: bigint | null = null;

  constructor(size: number = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 32 || size > 1 << 16 || size % 32 !== 0) {
      throw new TypeError('replay window size must be a multiple of 32 in 32..65536');
    }
    this.size = size;
    this.#bigSize = BigInt(size);
    this.#seen = new Uint32Array(size / 32);
  }

  check(ctr: bigint): ReplayVerdict {
    const highest = this.#highest;
    if (highest === null || ctr > highest) return 'fresh';
    if (highest - ctr >= this.#bigSize) return 'too-old';
    return this.#get(this.#slot(ctr)) ? 'duplicate' : 'fresh';
  }

  /** Records `ctr` if it is fresh. Call only after the frame authenticated. */
  accept(ctr: bigint): ReplayVerdict {
    const verdict = this.check(ctr);
    if (verdict !== 'fresh') return verdict;
    const highest = this.#highest;
    if (highest === null || ctr > highest) {
      this.#advance(highest, ctr);
      this.#highest = ctr;
    }
    this.#set(this.#slot(ctr));
    return verdict;
  }

  /** Forgets the slots that fall out of the window when the top moves up to `ctr`. */
  #advance(highest: bigint | null, ctr: bigint): void {
    if (highest === null || ctr - highest >= this.#bigSize) {
      this.#seen.fill(0);
      return;
    }
    const steps = Number(ctr - highest);
    const from = this.#slot(highest);
    for (let k = 1; k <= steps; k++) this.#clear((from + k) % this.size);
  }

  #slot(ctr: bigint): number {
    return Number(ctr % this.#bigSize);
  }
  #get(slot: number): boolean {
    return (this.#seen[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }
  #set(slot: number): void {
    this.#seen[slot >>> 5]! |= 1 << (slot & 31);
  }
  #clear(slot: number): void {
    this.#seen[slot >>> 5]! &= ~(1 << (slot & 31));
  }
}
