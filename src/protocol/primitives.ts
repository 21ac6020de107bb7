/**
 * Field-level schemas shared by every message. Each one bounds its size, so a
 * schema check is also the first line of defence against oversized input.
 * Written with `zod/mini`: the same validation as zod, at a tenth of the browser bundle.
 */
import * as z from 'zod/mini';
import { typedText } from './text.ts';

/** 16 characters of RFC 4648 base32 (lower case): 80 bits from the server's CSPRNG. */
export const MEETING_ID_PATTERN = /^[a-z2-7]{16}$/;
export const meetingId = z.string().check(z.regex(MEETING_ID_PATTERN));

/** 10 characters of base32: 50 bits; guessing is throttled on top of that. */
export const PASSCODE_PATTERN = /^[a-z2-7]{10}$/;
export const passcode = z.string().check(z.maxLength(64));

/** base64url of 32 random bytes; used for host secrets, resume tokens and device ids. */
export const secretToken = z.string().check(z.regex(/^[A-Za-z0-9_-]{22,64}$/));

/** Opaque server-assigned participant id (random, not sequential). */
export const participantId = z.string().check(z.regex(/^[a-f0-9]{16}$/));

/** Display names: one line of 1 to 64 characters, under the typed-text rule (src/protocol/text.ts). */
export const displayName = typedText({ min: 1, max: 64, trim: true });

/** Meeting titles: one line of at most 120 characters (empty: no title), under the typed-text rule. */
export const meetingTitle = typedText({ max: 120, trim: true });

/** Chat text: 1 to 4000 characters, lines separated by `\n`, under the typed-text rule. Sealed chat uses it too. */
export const MAX_CHAT_TEXT = 4000;
export const chatText = typedText({ min: 1, max: MAX_CHAT_TEXT, allowNewline: true });

/** Opaque binary data (MLS messages, SFrame-sealed chat) as standard base64, at least one 4-character group. */
export function base64(maxBytes: number) {
  return z.string().check(z.minLength(4), z.maxLength(Math.ceil(maxBytes / 3) * 4), z.regex(/^[A-Za-z0-9+/]*={0,2}$/));
}

export const sdp = z.string().check(z.minLength(1), z.maxLength(64 * 1024));

export const iceCandidate = z.strictObject({
  candidate: z.string().check(z.maxLength(1024)),
  sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  sdpMLineIndex: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(255)))),
});

/** Which publisher a media message concerns: the camera/microphone one or the screen-share one. */
export const mediaSource = z.enum(['camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSource>;

/** A peer connection of the client: one per publisher plus the single multistream subscriber. */
export const peerConnectionName = z.enum(['camera', 'screen', 'subscriber']);
export type PeerConnectionName = z.infer<typeof peerConnectionName>;

/** Request id chosen by the client; echoed in the `ok`/`error` reply. */
export const requestId = z.int().check(z.minimum(0), z.maximum(2 ** 31));

export const role = z.enum(['host', 'cohost', 'participant']);
export type Role = z.infer<typeof role>;

export const chatMode = z.enum(['everyone', 'host-only', 'off']);
export type ChatMode = z.infer<typeof chatMode>;

export const screenSharePolicy = z.enum(['host-only', 'everyone', 'named']);
export type ScreenSharePolicy = z.infer<typeof screenSharePolicy>;
