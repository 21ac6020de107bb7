/**
 * Field-level schemas shared by every message. Each one bounds its size, so a
 * schema check is also the first line of defence against oversized input.
 */
import { z } from 'zod';

/** 16 characters of RFC 4648 base32 (lower case): 80 bits from the server's CSPRNG. */
export const MEETING_ID_PATTERN = /^[a-z2-7]{16}$/;
export const meetingId = z.string().regex(MEETING_ID_PATTERN);

/** 10 characters of base32: 50 bits; guessing is throttled on top of that. */
export const PASSCODE_PATTERN = /^[a-z2-7]{10}$/;
export const passcode = z.string().max(64);

/** base64url of 32 random bytes; used for host secrets, resume tokens and device ids. */
export const secretToken = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/);

/** Opaque server-assigned participant id (random, not sequential). */
export const participantId = z.string().regex(/^[a-f0-9]{16}$/);

/** Display names: printable text only, no control characters, at most 64 characters. */
export const displayName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(s), {
    message: 'control or bidi characters are not allowed',
  });

export const meetingTitle = z.string().trim().max(120);

/** Opaque binary data (MLS messages, SFrame-sealed chat) as standard base64. */
export function base64(maxBytes: number) {
  return z
    .string()
    .min(4)
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/);
}

export const sdp = z.string().min(1).max(64 * 1024);

export const iceCandidate = z.strictObject({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
});

/** Which publisher a media message concerns: the camera/microphone one or the screen-share one. */
export const mediaSource = z.enum(['camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSource>;

/** A peer connection of the client: one per publisher plus the single multistream subscriber. */
export const peerConnectionName = z.enum(['camera', 'screen', 'subscriber']);
export type PeerConnectionName = z.infer<typeof peerConnectionName>;

/** Request id chosen by the client; echoed in the `ok`/`error` reply. */
export const requestId = z.number().int().min(0).max(2 ** 31);

export const role = z.enum(['host', 'cohost', 'participant']);
export type Role = z.infer<typeof role>;

export const chatMode = z.enum(['everyone', 'host-only', 'off']);
export type ChatMode = z.infer<typeof chatMode>;

export const screenSharePolicy = z.enum(['host-only', 'everyone', 'named']);
export type ScreenSharePolicy = z.infer<typeof screenSharePolicy>;
