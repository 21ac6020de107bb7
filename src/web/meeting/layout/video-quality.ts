/**
 * Which simulcast layer a tile asks for, from the width it is drawn at. The layers are
 * about 180p, 360p and 720p: a tile narrower than ~400 CSS px gains nothing from more
 * than 180p, one up to ~900 px nothing from more than 360p. Device pixels are not
 * counted on purpose: a sharper thumbnail is not worth three times the downlink.
 */
import type { VideoQuality } from '../../../protocol/index.ts';

export type { VideoQuality };

/** Tile widths in CSS pixels at which the next layer up becomes worth receiving. */
export const QUALITY_WIDTH_THRESHOLDS = Object.freeze({ mediumFromPx: 400, highFromPx: 900 });

export function qualityForWidth(widthPx: number): VideoQuality {
  if (widthPx >= QUALITY_WIDTH_THRESHOLDS.highFromPx) return 'high';
  if (widthPx >= QUALITY_WIDTH_THRESHOLDS.mediumFromPx) return 'medium';
  return 'low';
}
