/**
 * VP8 over RTP (RFC 7741): the payload descriptor a browser writes (X=1, S on a frame's first packet,
 * partition index 0, a 15-bit picture id with M=1), and the reverse: frames reassembled from packets.
 * The frame bytes are whatever the E2EE transform produced (clear VP8 header + SFrame), as in a browser.
 */

/** Descriptor bytes: X|R|N|S|R|PID, I|L|T|K, M + 15-bit picture id. */
const DESCRIPTOR_BYTES = 4;

/** Splits a frame into RTP payloads of at most `maxPayload` bytes, each with its descriptor. */
export function packetizeVp8(frame: Uint8Array, pictureId: number, maxPayload = 1200): Buffer[] {
  const chunk = maxPayload - DESCRIPTOR_BYTES;
  const out: Buffer[] = [];
  for (let at = 0; at < frame.length; at += chunk) {
    const part = frame.subarray(at, Math.min(at + chunk, frame.length));
    const payload = Buffer.allocUnsafe(DESCRIPTOR_BYTES + part.length);
    payload[0] = at === 0 ? 0x90 : 0x80;
    payload[1] = 0x80;
    payload[2] = 0x80 | ((pictureId >> 8) & 0x7f);
    payload[3] = pictureId & 0xff;
    payload.set(part, DESCRIPTOR_BYTES);
    out.push(payload);
  }
  return out;
}

/** Where the frame bytes start in a VP8 RTP payload, and whether it starts a frame; null if malformed. */
export function parseVp8Descriptor(payload: Uint8Array): { start: boolean; offset: number } | null {
  if (payload.length < 1) return null;
  const b0 = payload[0]!;
  let offset = 1;
  if (b0 & 0x80) {
    if (payload.length < 2) return null;
    const b1 = payload[1]!;
    offset = 2;
    if (b1 & 0x80) {
      if (payload.length <= offset) return null;
      offset += payload[offset]! & 0x80 ? 2 : 1; // picture id, 15 or 7 bits
    }
    if (b1 & 0x40) offset += 1; // TL0PICIDX
    if (b1 & 0x30) offset += 1; // TID/Y/KEYIDX
  }
  if (offset > payload.length) return null;
  return { start: (b0 & 0x10) !== 0 && (b0 & 0x0f) === 0, offset };
}

/**
 * Reassembles the frames of one RTP stream. A frame is handed on only when complete: it began with S,
 * its sequence numbers had no gap, and its last packet had the marker. Anything else is counted as lost,
 * never passed on, so a lost packet can never look like a decryption failure.
 */
export class Vp8FrameAssembler {
  #parts: Uint8Array[] = [];
  #timestamp: number | undefined;
  #nextSeq: number | undefined;
  lostFrames = 0;

  /** Returns a whole frame when this packet completes one. */
  push(sequenceNumber: number, timestamp: number, marker: boolean, payload: Uint8Array): Uint8Array | null {
    const descriptor = parseVp8Descriptor(payload);
    if (descriptor === null) {
      this.#drop();
      return null;
    }
    const body = payload.subarray(descriptor.offset);
    if (descriptor.start) {
      if (this.#parts.length > 0) this.#drop();
      this.#parts = [body];
      this.#timestamp = timestamp;
    } else if (this.#parts.length > 0 && timestamp === this.#timestamp && sequenceNumber === this.#nextSeq) {
      this.#parts.push(body);
    } else {
      if (this.#parts.length > 0) this.#drop();
      this.#nextSeq = (sequenceNumber + 1) & 0xffff;
      return null;
    }
    this.#nextSeq = (sequenceNumber + 1) & 0xffff;
    if (!marker) return null;
    const frame = join(this.#parts);
    this.#parts = [];
    return frame;
  }

  #drop(): void {
    this.#parts = [];
    this.lostFrames++;
  }
}

/** VP8 key frame dimensions (RFC 6386 section 9.1), from a frame whose first 10 bytes are clear. */
export function vp8KeyFrameSize(frame: Uint8Array): { width: number; height: number } | null {
  if (frame.length < 10 || (frame[0]! & 0x01) !== 0) return null;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return null;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}

function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
