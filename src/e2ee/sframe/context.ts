/**
 * SFrameContext: the key store of RFC 9605 section 4.4.1 plus a send counter per
 * encryption KID and a replay window per decryption KID.
 *
 * Inputs it accepts:
 *   addEncryptionKey(kid, base_key)  key for our own frames; counter starts at 0
 *   addDecryptionKey(kid, base_key)  key for a peer's frames; fresh replay window
 *   removeKey(kid)                   forget a KID in either direction
 *   encrypt(kid, plaintext, metadata?) -> header || ciphertext || tag
 *   decrypt(frame, metadata?)          -> { kid, ctr, plaintext }
 *
 * Each KID holds one key for one direction only; adding a key under a KID replaces
 * what was there. Replacing an encryption key restarts its counter at 0, so a base
 * key must never be added twice for sending (the (key, nonce) pair would repeat).
 */
import { ownBytes, toU64, U64_MAX } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { SFrameError } from './errors.ts';
import { openFrame, sealFrame } from './frame.ts';
import { decodeHeader } from './header.ts';
import { deriveSFrameKeys } from './key-schedule.ts';
import type { SFrameKeys } from './key-schedule.ts';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay-window.ts';
import { cipherSuite } from './suites.ts';
import type { CipherSuite, CipherSuiteId } from './suites.ts';

export interface SFrameContextOptions {
  readonly suite: CipherSuiteId;
  /** Counters tracked per decryption KID; a multiple of 32. */
  readonly replayWindow?: number;
}

export interface DecryptedFrame {
  readonly kid: bigint;
  readonly ctr: bigint;
  readonly plaintext: Bytes;
}

type KeyEntry =
  | { readonly direction: 'encrypt'; readonly keys: SFrameKeys; nextCtr: bigint }
  | { readonly direction: 'decrypt'; readonly keys: SFrameKeys; readonly window: ReplayWindow };

const NO_METADATA = new Uint8Array(0);

export class SFrameContext {
  readonly suite: CipherSuite;
  readonly #replayWindow: number;
  readonly #keys = new Map<bigint, KeyEntry>();

  constructor(options: SFrameContextOptions) {
    this.suite = cipherSuite(options.suite);
    this.#replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    new ReplayWindow(this.#replayWindow); // validates the size now rather than at the first key
  }

  async addEncryptionKey(kid: bigint | number, baseKey: Uint8Array): Promise<void> {
    const keys = await deriveSFrameKeys(this.suite, kid, baseKey, 'encrypt');
    this.#keys.set(keys.kid, { direction: 'encrypt', keys, nextCtr: 0n });
  }

  async addDecryptionKey(kid: bigint | number, baseKey: Uint8Array): Promise<void> {
    const keys = await deriveSFrameKeys(this.suite, kid, baseKey, 'decrypt');
    this.#keys.set(keys.kid, { direction: 'decrypt', keys, window: new ReplayWindow(this.#replayWindow) });
  }

  /** Returns whether a key was stored under `kid`. */
  removeKey(kid: bigint | number): boolean {
    return this.#keys.delete(toU64(kid, 'kid'));
  }

  hasKey(kid: bigint | number, direction: 'encrypt' | 'decrypt'): boolean {
    return this.#keys.get(toU64(kid, 'kid'))?.direction === direction;
  }

  async encrypt(kid: bigint | number, plaintext: Uint8Array, metadata: Uint8Array = NO_METADATA): Promise<Bytes> {
    const entry = this.#keys.get(toU64(kid, 'kid'));
    if (!entry) throw new SFrameError('unknown-key', 'no SFrame key for this KID');
    if (entry.direction !== 'encrypt') throw new SFrameError('wrong-key-usage', 'SFrame key is for decryption only');
    if (entry.nextCtr > U64_MAX) throw new SFrameError('counter-exhausted', 'SFrame counter exhausted for this KID');
    // Taken before the first await, so concurrent calls never share a counter.
    const ctr = entry.nextCtr++;
    return sealFrame(entry.keys, ctr, ownBytes(metadata), plaintext);
  }

  async decrypt(frame: Uint8Array, metadata: Uint8Array = NO_METADATA): Promise<DecryptedFrame> {
    const header = decodeHeader(frame);
    const entry = this.#keys.get(header.kid);
    if (entry?.direction !== 'decrypt') throw new SFrameError('unknown-key', 'no SFrame decryption key for this KID');
    // Checked before the crypto to spare the work, and again after it because another
    // copy of the frame may have been accepted while this one was being decrypted.
    if (entry.window.check(header.ctr) !== 'fresh') throw replayError();
    const plaintext = await openFrame(entry.keys, header, frame, ownBytes(metadata));
    if (entry.window.accept(header.ctr) !== 'fresh') throw replayError();
    return { kid: header.kid, ctr: header.ctr, plaintext };
  }
}

function replayError(): SFrameError {
  return new SFrameError('replay', 'SFrame counter already seen or older than the replay window');
}
