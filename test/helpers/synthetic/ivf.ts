/**
 * A reader for IVF, the container libvpx writes (a 32-byte file header, then per frame a 12-byte header:
 * 4-byte little-endian size, 8-byte timestamp, and the frame). Only what the synthetic camera needs.
 */
export interface IvfClip {
  readonly fourcc: string;
  readonly width: number;
  readonly height: number;
  /** Frames per second, from the header's time base. */
  readonly frameRate: number;
  readonly frames: readonly IvfFrame[];
}

export interface IvfFrame {
  readonly data: Uint8Array;
  /** VP8: bit 0 of the first byte clear (RFC 6386 section 9.1). */
  readonly keyFrame: boolean;
}

const FILE_HEADER = 32;
const FRAME_HEADER = 12;

/** Throws TypeError on anything that is not a whole VP8 IVF file. */
export function parseIvf(bytes: Uint8Array): IvfClip {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FILE_HEADER || String.fromCharCode(...bytes.subarray(0, 4)) !== 'DKIF') throw new TypeError('not an IVF file');
  const headerSize = view.getUint16(6, true);
  const fourcc = String.fromCharCode(...bytes.subarray(8, 12));
  if (fourcc !== 'VP80') throw new TypeError(`IVF holds ${fourcc}, not VP8`);
  const width = view.getUint16(12, true);
  const height = view.getUint16(14, true);
  const rate = view.getUint32(16, true);
  const scale = view.getUint32(20, true);
  const frames: IvfFrame[] = [];
  let offset = headerSize;
  while (offset + FRAME_HEADER <= bytes.length) {
    const size = view.getUint32(offset, true);
    const start = offset + FRAME_HEADER;
    if (size === 0 || start + size > bytes.length) throw new TypeError('truncated IVF frame');
    const data = bytes.slice(start, start + size);
    frames.push({ data, keyFrame: (data[0]! & 0x01) === 0 });
    offset = start + size;
  }
  if (offset !== bytes.length) throw new TypeError('trailing bytes after the last IVF frame');
  if (frames.length === 0 || !frames[0]!.keyFrame) throw new TypeError('an IVF clip must start with a key frame');
  return { fourcc, width, height, frameRate: scale > 0 ? rate / scale : 0, frames };
}
