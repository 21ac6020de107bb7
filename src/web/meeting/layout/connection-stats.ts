/**
 * Connection quality of one received video, from two successive `getStats()` samples:
 * packet loss over the interval, the subscriber connection's round trip, jitter, and
 * the resolution and frame rate that arrive (which tell the simulcast layer received).
 * No DOM here, so it is tested alone.
 */

export type QualityLevel = 'good' | 'fair' | 'poor';

/** The inbound-rtp counters this needs (as WebRTC names them). */
export interface InboundSample {
  packetsReceived: number;
  packetsLost: number;
  /** Seconds. */
  jitter?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
}

export interface ConnectionQuality {
  level: QualityLevel;
  /** Percent of the packets of the interval that were lost; null before two samples. */
  lossPercent: number | null;
  /** Milliseconds, the subscriber connection's current round trip; null when not known yet. */
  roundTripMs: number | null;
  jitterMs: number | null;
  width: number | null;
  height: number | null;
  framesPerSecond: number | null;
  /** No packet arrived during the interval although the person sends video. */
  stalled: boolean;
}

/** Where "good" ends and "poor" begins; loss matters most to video, round trip to conversation. */
export const QUALITY_LIMITS = Object.freeze({
  fair: { lossPercent: 2, roundTripMs: 300 },
  poor: { lossPercent: 8, roundTripMs: 600 },
});

export function assessQuality(previous: InboundSample | null, current: InboundSample, roundTripSeconds: number | null): ConnectionQuality {
  const received = previous ? current.packetsReceived - previous.packetsReceived : null;
  const lost = previous ? Math.max(0, current.packetsLost - previous.packetsLost) : null;
  const lossPercent = received !== null && lost !== null && received + lost > 0 ? (100 * lost) / (received + lost) : null;
  const stalled = received === 0;
  const roundTripMs = roundTripSeconds === null ? null : Math.round(roundTripSeconds * 1000);
  return {
    level: levelOf(lossPercent, roundTripMs, stalled),
    lossPercent,
    roundTripMs,
    jitterMs: current.jitter === undefined ? null : Math.round(current.jitter * 1000),
    width: current.frameWidth ?? null,
    height: current.frameHeight ?? null,
    framesPerSecond: current.framesPerSecond ?? null,
    stalled,
  };
}

export function levelOf(lossPercent: number | null, roundTripMs: number | null, stalled = false): QualityLevel {
  const loss = lossPercent ?? 0;
  const rtt = roundTripMs ?? 0;
  if (stalled || loss >= QUALITY_LIMITS.poor.lossPercent || rtt >= QUALITY_LIMITS.poor.roundTripMs) return 'poor';
  if (loss >= QUALITY_LIMITS.fair.lossPercent || rtt >= QUALITY_LIMITS.fair.roundTripMs) return 'fair';
  return 'good';
}

/** Which of the three simulcast layers a resolution is, by its height (a code; the page words it). */
export function layerName(height: number | null): 'none' | 'low' | 'medium' | 'high' {
  if (height === null || height === 0) return 'none';
  if (height <= 240) return 'low';
  if (height <= 480) return 'medium';
  return 'high';
}
