/**
 * What goes inside an MLS application message for chat. The recipient of a private message is sealed with
 * the text, so a server that forwards a private message to others is caught: they see it was not for them.
 */
import * as z from 'zod/mini';
import { chatText, participantId } from '../../protocol/primitives.ts';

const sealedChat = z.strictObject({
  v: z.literal(1),
  /** The same rule as plaintext chat: the server cannot check sealed text, so the receiver does (decodeSealedChat). */
  text: chatText,
  to: z.optional(participantId),
});
export type SealedChat = z.infer<typeof sealedChat>;

export function encodeSealedChat(text: string, to?: string): Uint8Array {
  const value: SealedChat = to === undefined ? { v: 1, text } : { v: 1, text, to };
  const checked = sealedChat.safeParse(value);
  if (!checked.success) throw new TypeError('chat text or recipient not allowed');
  return new TextEncoder().encode(JSON.stringify(checked.data));
}

/** Returns undefined for anything that is not a well-formed sealed chat message. */
export function decodeSealedChat(bytes: Uint8Array): SealedChat | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const checked = sealedChat.safeParse(value);
  return checked.success ? checked.data : undefined;
}
