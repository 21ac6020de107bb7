/**
 * Byte and integer helpers. SFrame integers (KID, CTR) range over 0..2^64-1, so
 * they are BigInt throughout; a JS number would silently round above 2^53.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

export const U64_MAX = (1n << 64n) - 1n;

/** Accepts a bigint or a safe integer number in 0..2^64-1; anything else is a caller bug. */
export function toU64(value: bigint | number, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`${what} must be a non-negative safe integer or a bigint`);
    }
    return BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new TypeError(`${what} must be in 0..2^64-1`);
  }
  return value;
}

/** WebCrypto wants ArrayBuffer-backed views; copy only when the caller's view is backed otherwise. */
export function ownBytes(data: Uint8Array): Bytes {
  if (!(data instanceof Uint8Array)) throw new TypeError('expected a Uint8Array');
  return data.buffer instanceof ArrayBuffer ? (data as Bytes) : new Uint8Array(data);
}

export function encodeBigEndian(value: bigint, length: number): Bytes {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new RangeError(`value does not fit in ${length} bytes`);
  return out;
}

export function decodeBigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Compares in time that depends on the lengths only, so a forger learns nothing from timing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function fromHex(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
