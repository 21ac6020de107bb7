/**
 * The camera's simulcast layers. Each receiver gets the layer that fits the tile it draws, so a grid
 * page of 25 thumbnails costs about 25 x 80 kbps and a large speaker tile about 1 Mbps.
 *
 * The rids are listed high to low because that is how Janus reads `a=simulcast` by default (its
 * substream 0 is the last rid, 'l'). A capture below 720p makes the browser drop the top layers on
 * its own; the receiver then gets the best layer that exists.
 */
import type { VideoQuality } from '../../protocol/index.ts';

export interface CameraLayer {
  readonly rid: 'h' | 'm' | 'l';
  readonly quality: VideoQuality;
  readonly scaleResolutionDownBy: number;
  readonly maxBitrate: number;
  readonly maxFramerate: number;
}

export const CAMERA_LAYERS: readonly CameraLayer[] = [
  { rid: 'h', quality: 'high', scaleResolutionDownBy: 1, maxBitrate: 1_000_000, maxFramerate: 30 },
  { rid: 'm', quality: 'medium', scaleResolutionDownBy: 2, maxBitrate: 350_000, maxFramerate: 30 },
  { rid: 'l', quality: 'low', scaleResolutionDownBy: 4, maxBitrate: 80_000, maxFramerate: 15 },
];

/** Until the server says who watches what, only the lowest layer is encoded. */
export const INITIAL_ACTIVE: readonly [boolean, boolean, boolean] = [true, false, false];

/** The send encodings of a camera transceiver, with `active` per layer given low, medium, high. */
export function cameraEncodings(active: readonly boolean[]): RTCRtpEncodingParameters[] {
  return CAMERA_LAYERS.map((layer) => ({
    rid: layer.rid,
    active: active[qualityIndex(layer.quality)] ?? false,
    scaleResolutionDownBy: layer.scaleResolutionDownBy,
    maxBitrate: layer.maxBitrate,
    maxFramerate: layer.maxFramerate,
  }));
}

/** low 0, medium 1, high 2: the order of the protocol's `send-layers` and of Janus substreams. */
export function qualityIndex(quality: VideoQuality): 0 | 1 | 2 {
  return quality === 'low' ? 0 : quality === 'medium' ? 1 : 2;
}
