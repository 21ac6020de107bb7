/** ICE candidates from the browser, checked before they reach Janus. */
import { z } from 'zod';
import type { TrickleCandidate } from 'janode';
import type { IceCandidateInit } from '../engine.ts';

const Candidate = z.strictObject({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullish(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullish(),
  // Browsers' RTCIceCandidate.toJSON() includes it; Janus ignores it.
  usernameFragment: z.string().max(256).nullish(),
});

/** null means end of candidates. */
export function toJanusCandidate(candidate: IceCandidateInit | null): TrickleCandidate | null {
  if (candidate === null) return null;
  const parsed = Candidate.safeParse(candidate);
  if (!parsed.success) throw new TypeError('invalid ICE candidate');
  const { candidate: c, sdpMid, sdpMLineIndex } = parsed.data;
  // An empty candidate string is the spec's other way of saying "end of candidates".
  if (c === '') return null;
  const out: TrickleCandidate = { candidate: c };
  if (sdpMid != null) out.sdpMid = sdpMid;
  if (sdpMLineIndex != null) out.sdpMLineIndex = sdpMLineIndex;
  return out;
}
