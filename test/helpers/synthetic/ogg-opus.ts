/**
 * A reader for Ogg Opus (RFC 7845): the Opus packets of one logical stream, in order, without the OpusHead and
 * OpusTags header packets. Pages are reassembled from their lacing values, so a packet may span pages.
 */
export interface OpusClip {
  readonly channels: number;
  readonly packets: readonly Uint8Array[];
}

/** Throws TypeError on anything that is not a single-stream Ogg Opus file. */
export function parseOggOpus(bytes: Uint8Array): OpusClip {
  const packets: Uint8Array[] = [];
  let partial: Uint8Array[] = [];
  let serial: number | undefined;
  let offset = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (offset < bytes.length) {
    if (offset + 27 > bytes.length || String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== 'OggS') throw new TypeError('not an Ogg page');
    const pageSerial = view.getUint32(offset + 14, true);
    if (serial !== undefined && pageSerial !== serial) throw new TypeError('more than one Ogg stream');
    serial = pageSerial;
    const segments = bytes[offset + 26]!;
    const lacing = bytes.subarray(offset + 27, offset + 27 + segments);
    let body = offset + 27 + segments;
    for (const size of lacing) {
      if (body + size > bytes.length) throw new TypeError('truncated Ogg page');
      partial.push(bytes.subarray(body, body + size));
      body += size;
      // A lacing value below 255 ends a packet.
      if (size < 255) {
        packets.push(joinParts(partial));
        partial = [];
      }
    }
    offset = body;
  }
  const head = packets[0];
  if (head === undefined || String.fromCharCode(...head.subarray(0, 8)) !== 'OpusHead') throw new TypeError('no OpusHead');
  if (packets[1] === undefined || String.fromCharCode(...packets[1].subarray(0, 8)) !== 'OpusTags') throw new TypeError('no OpusTags');
  return { channels: head[9]!, packets: packets.slice(2) };
}

function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
