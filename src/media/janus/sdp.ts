/**
 * The little SDP reading the Janus adapter needs: which m-lines carry which kind of
 * media, and whether an offer asks for a data channel (refused: Sabha has no use for
 * Janus data channels, and Janus 1.1.2 had memory-safety bugs in that path).
 */
import type { PublishedTrack, TrackKind } from '../engine.ts';

export interface MediaSection {
  kind: string;
  port: number;
  mid: string | undefined;
}

export function mediaSections(sdp: string): MediaSection[] {
  const out: MediaSection[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\S+) (\d+)/.exec(line);
    if (m) {
      out.push({ kind: m[1]!, port: Number(m[2]), mid: undefined });
      continue;
    }
    const mid = /^a=mid:(\S+)/.exec(line);
    const last = out[out.length - 1];
    if (mid && last) last.mid = mid[1]!;
  }
  return out;
}

/** Accepted audio and video m-lines of an SDP, as the peers will number them. */
export function activeTracks(sdp: string): PublishedTrack[] {
  return mediaSections(sdp)
    .filter((s): s is MediaSection & { kind: TrackKind; mid: string } =>
      (s.kind === 'audio' || s.kind === 'video') && s.port !== 0 && s.mid !== undefined)
    .map((s) => ({ mid: s.mid, kind: s.kind }));
}

/** Throws TypeError for anything that is not an offer Sabha lets reach Janus. */
export function checkOffer(sdp: string): void {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) throw new TypeError('offer is not an SDP');
  if (sdp.length > 64 * 1024) throw new TypeError('offer is too large');
  const sections = mediaSections(sdp);
  if (sections.length === 0) throw new TypeError('offer has no media');
  for (const s of sections) {
    if (s.port === 0) continue;
    if (s.kind !== 'audio' && s.kind !== 'video') throw new TypeError(`offer has a ${s.kind} m-line`);
  }
}

/**
 * Asks for Opus DTX on the sender's behalf. Janus 1.1.2 writes `usedtx=1` into its answer only when
 * the offer's Opus fmtp has it, and browsers do not offer it; the sender's encoder follows the answer.
 * So every publisher in Sabha's rooms stops sending (but for a comfort-noise packet every 400 ms or so)
 * while its microphone hears silence, whatever client it is.
 */
export function withOpusDtx(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const opus = new Set<string>();
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) opus\/48000/i.exec(line);
    if (m) opus.add(m[1]!);
  }
  return lines
    .map((line) => {
      const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
      if (!m || !opus.has(m[1]!) || /(^|;)\s*usedtx=/.test(m[2]!)) return line;
      return `${line};usedtx=1`;
    })
    .join(eol);
}
