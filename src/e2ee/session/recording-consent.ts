/**
 * Recording consent as MLS application messages: a host's ask and each member's answer, sealed for the group
 * and sent as the `proof` beside the clear fields the server counts (docs/protocol.md 4.7). The asking host's
 * browser opens every answer and trusts only a sealed yes from the sender MLS authenticates, for this request,
 * that agrees with what the server relayed in clear; a member opens the ask to see that a host really asked.
 * The payload is `{v:1, recording}`: strict, so neither chat nor a signal can be read as one.
 */
import * as z from 'zod/mini';
import { recordingRequestId } from '../../protocol/recording.ts';
import type { MlsMember } from '../mls/index.ts';
import { openSealed } from './application-messages.ts';
import { toBase64 } from './base64.ts';
import { decodeSealed, encodeSealed } from './sealed-json.ts';

const consentMessage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ask'), request: recordingRequestId }),
  z.strictObject({ kind: z.literal('answer'), request: recordingRequestId, consent: z.boolean() }),
]);
export type RecordingConsentMessage = z.infer<typeof consentMessage>;

const sealed = z.strictObject({ v: z.literal(1), recording: consentMessage });

/** The payload to seal; throws TypeError for anything the schema refuses. */
export function encodeRecordingConsent(value: RecordingConsentMessage): Uint8Array {
  return encodeSealed(sealed, { v: 1, recording: value }, 'recording consent message not allowed');
}

/** Undefined for anything that is not a well-formed sealed consent message. */
export function decodeRecordingConsent(bytes: Uint8Array): RecordingConsentMessage | undefined {
  return decodeSealed(sealed, bytes)?.recording;
}

/** Seals a consent message for the group: the base64 `proof` to send. */
export async function sealRecordingConsent(member: MlsMember | undefined, value: RecordingConsentMessage): Promise<string> {
  if (member === undefined) throw new TypeError('not in the MLS group yet');
  return toBase64(await member.encryptApplication(encodeRecordingConsent(value)));
}

/** Opens a relayed proof; undefined unless it is a consent message sealed by `from` (per MLS). */
export async function openRecordingConsent(member: MlsMember | undefined, from: string, proof: string): Promise<RecordingConsentMessage | undefined> {
  const opened = await openSealed(member, proof, decodeRecordingConsent);
  return opened !== undefined && opened.from === from ? opened.value : undefined;
}
