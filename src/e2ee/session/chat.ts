/**
 * What goes inside an MLS application message for chat. The recipient of a private message is sealed with
 * the text, so a server that forwards a private message to others is caught: they see it was not for them.
 */
import * as z from 'zod/mini';
import { chatText, participantId } from '../../protocol/primitives.ts';
import { decodeSealed, encodeSealed } from './sealed-json.ts';

const sealedChat = z.strictObject({
  v: z.literal(1),
  /** The same rule as plaintext chat: the server cannot check sealed text, so the receiver does (decodeSealedChat). */
  text: chatText,
  to: z.optional(participantId),
});
export type SealedChat = z.infer<typeof sealedChat>;

export function encodeSealedChat(text: string, to?: string): Uint8Array {
  const value: SealedChat = to === undefined ? { v: 1, text } : { v: 1, text, to };
  return encodeSealed(sealedChat, value, 'chat text or recipient not allowed');
}

/** Returns undefined for anything that is not a well-formed sealed chat message. */
export function decodeSealedChat(bytes: Uint8Array): SealedChat | undefined {
  return decodeSealed(sealedChat, bytes);
}
