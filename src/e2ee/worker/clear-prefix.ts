/**
 * The bytes of a frame that stay readable by the receiving browser and the SFU.
 *
 * A receiving Chromium reads the VP8 payload header before our transform runs:
 * bit 0 of the first byte says whether the frame is a key frame, and a key frame's
 * first ten bytes (3-byte frame tag, start code, dimensions) are parsed too. With
 * those bytes encrypted, real key frames look like delta frames and video freezes
 * whenever a key frame is needed. So, like other SFrame deployments for VP8, the
 * frame tag (3 bytes) and, on key frames, the start code and dimensions (7 more)
 * stay in clear. They are not secret-free: an observer learns frame types and the
 * video size. They are authenticated: they are the SFrame metadata (AAD), so a
 * change to any of them makes decryption fail. Audio keeps nothing in clear.
 */
export type FrameKind = 'audio' | 'video';

/** RFC 6386 section 9.1: the frame tag, and for key frames the start code and dimensions. */
const VP8_DELTA_HEADER = 3;
const VP8_KEY_HEADER = 10;

/**
 * How many leading bytes stay clear, or null for a video frame no longer than its own
 * header: that is not VP8, and it is dropped rather than sent with nothing encrypted.
 */
export function clearPrefixLength(kind: FrameKind, payload: Uint8Array): number | null {
  if (kind === 'audio') return 0;
  const isKeyFrame = payload.length > 0 && (payload[0]! & 0x01) === 0;
  const header = isKeyFrame ? VP8_KEY_HEADER : VP8_DELTA_HEADER;
  return payload.length > header ? header : null;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
