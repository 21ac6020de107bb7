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
