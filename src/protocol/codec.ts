/**
 * Turning wire text into validated messages and back. Both ends call these, so a
 * message that one side accepts is exactly a message the other side may send.
 */
import { clientMessage, serverMessage, type ClientMessage, type ServerMessage } from './messages.ts';

export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: string; requestId?: number };

function decodeWith<T>(schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, text: string): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data as T };
  // Echo the request id when there is a usable one, so the sender can match the error.
  const rid = (value as { id?: unknown } | null)?.id;
  const requestId = Number.isInteger(rid) && (rid as number) >= 0 && (rid as number) <= 2 ** 31 ? (rid as number) : undefined;
  const type = (value as { type?: unknown } | null)?.type;
  const reason = typeof type === 'string' && type.length <= 40 ? `invalid '${type}' message` : 'invalid message';
  return requestId === undefined ? { ok: false, reason } : { ok: false, reason, requestId };
}

export const decodeClientMessage = (text: string) => decodeWith<ClientMessage>(clientMessage, text);
export const decodeServerMessage = (text: string) => decodeWith<ServerMessage>(serverMessage, text);

export const encodeMessage = (message: ClientMessage | ServerMessage): string => JSON.stringify(message);
