/**
 * SFrame header (RFC 9605 section 4.3).
 *
 *   config byte: X(1) K(3) Y(1) C(3), then KID bytes, then CTR bytes.
 *
 * A value below 8 sits in K or C with its flag clear; otherwise the flag is set, the
 * 3 bits hold (length - 1) and the value follows in the minimum number of big-endian
 * bytes. The decoder refuses every other encoding, so each (KID, CTR) has exactly one
 * header and a header read back is the header that was authenticated.
 */
import { decodeBigEndian, encodeBigEndian, toU64 } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { SFrameError } from './errors.ts';

/** Largest possible header: config byte plus two 8-byte values. */
export const MAX_HEADER_LENGTH = 17;

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** Number of bytes the header occupies at the start of the frame. */
  readonly length: number;
}

const INLINE_LIMIT = 8n;

function byteLength(value: bigint): number {
  let length = 1;
  while (value >> BigInt(8 * length) !== 0n) length++;
  return length;
}

/** The 4-bit half of the config byte and the bytes appended for one value. */
function encodeField(value: bigint): { nibble: number; bytes: Bytes | null } {
  if (value < INLINE_LIMIT) return { nibble: Number(value), bytes: null };
  const length = byteLength(value);
  return { nibble: 0x8 | (length - 1), bytes: encodeBigEndian(value, length) };
}

export function encodeHeader(kid: bigint | number, ctr: bigint | number): Bytes {
  const k = encodeField(toU64(kid, 'kid'));
  const c = encodeField(toU64(ctr, 'ctr'));
  const kidLength = k.bytes?.length ?? 0;
  const out = new Uint8Array(1 + kidLength + (c.bytes?.length ?? 0));
  out[0] = (k.nibble << 4) | c.nibble;
  if (k.bytes) out.set(k.bytes, 1);
  if (c.bytes) out.set(c.bytes, 1 + kidLength);
  return out;
}

function decodeField(
  nibble: number,
  data: Uint8Array,
  offset: number,
  what: 'KID' | 'CTR',
): { value: bigint; next: number } {
  if ((nibble & 0x8) === 0) return { value: BigInt(nibble), next: offset };
  const length = (nibble & 0x7) + 1;
  if (offset + length > data.length) {
    throw new SFrameError('malformed-header', `SFrame header truncated: ${what} needs ${length} bytes`);
  }
  const value = decodeBigEndian(data.subarray(offset, offset + length));
  if (value < INLINE_LIMIT || byteLength(value) !== length) {
    throw new SFrameError('malformed-header', `SFrame header ${what} is not minimally encoded`);
  }
  return { value, next: offset + length };
}

/** Reads the header at the start of `data` (a header alone or a whole frame). */
export function decodeHeader(data: Uint8Array): SFrameHeader {
  if (data.length < 1) throw new SFrameError('malformed-header', 'SFrame header missing: empty input');
  const config = data[0]!;
  const kid = decodeField(config >> 4, data, 1, 'KID');
  const ctr = decodeField(config & 0x0f, data, kid.next, 'CTR');
  return { kid: kid.value, ctr: ctr.value, length: ctr.next };
}
