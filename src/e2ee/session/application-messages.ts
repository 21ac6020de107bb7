/**
 * Chat, in-meeting signals and polls as MLS application messages: sealing ours for the group, and opening what the
 * server relays. Each message type opens only its own payload (chat.ts, signals.ts): a sealed signal relayed
 * as `chat` is refused like any bad chat (`chat-rejected`), a sealed chat relayed as `signal` like any bad
 * signal (`signal-rejected`). The sender is the one MLS authenticated; the server's `from` (and a chat's
 * `to`) must agree with it. Our own echo never gets here: MLS senders cannot open their own messages.
 * `member` is ours while in the group (Membership.inGroup), undefined otherwise.
 */
import type { ChatBody, ServerMessageOf } from '../../protocol/messages.ts';
import type { MlsMember } from '../mls/index.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { decodeSealedChat, encodeSealedChat } from './chat.ts';
import { decodeSealedPoll, encodeSealedPoll, type PollMessage } from './polls.ts';
import type { E2eeChatMessage, E2eePollMessage, E2eeSignalMessage, PollClientMessage, SignalMessage } from './session-types.ts';
import { decodeSealedSignal, encodeSealedSignal, type Signal } from './signals.ts';

export interface OpenedChat {
  readonly from: string;
  readonly text: string;
  readonly to?: string;
}

/** A relayed message opened, or the problem code that refuses it. */
export type Received<T, Problem extends string> = { readonly message: T } | { readonly problem: Problem };

/** Seals a chat text (and its recipient, for a private message): the `chat` body to send. */
export async function sealChat(member: MlsMember | undefined, text: string, to?: string): Promise<ChatBody> {
  const sealed = await requireGroup(member).encryptApplication(encodeSealedChat(text, to));
  return { kind: 'mls' as const, data: toBase64(sealed) };
}

/** Seals an in-meeting signal: the `signal` message to send. */
export async function sealSignal(member: MlsMember | undefined, signal: Signal): Promise<SignalMessage> {
  const sealed = await requireGroup(member).encryptApplication(encodeSealedSignal(signal));
  return { type: 'signal' as const, data: toBase64(sealed) };
}

/** Seals a poll message (polls.ts), with its one recipient if it has one: the `poll` message to send. */
export async function sealPoll(member: MlsMember | undefined, poll: PollMessage, to?: string): Promise<PollClientMessage> {
  const sealed = await requireGroup(member).encryptApplication(encodeSealedPoll(poll, to));
  return { type: 'poll' as const, ...(to === undefined ? {} : { to }), data: toBase64(sealed) };
}

/** Opens a sealed chat message (chat.ts); undefined for anything else, a sealed signal included. */
export async function openChat(member: MlsMember | undefined, data: string): Promise<OpenedChat | undefined> {
  const opened = await openSealed(member, data, decodeSealedChat);
  if (opened === undefined) return undefined;
  const { from, value } = opened;
  return value.to === undefined ? { from, text: value.text } : { from, text: value.text, to: value.to };
}

/** A relayed `chat` from someone else: opened only if sealed, by the sender the server names, for whom it names, and for us. */
export async function receiveChat(
  member: MlsMember | undefined,
  self: string | undefined,
  message: ServerMessageOf<'chat'>,
): Promise<Received<E2eeChatMessage, 'plaintext-chat' | 'chat-rejected'>> {
  if (message.body.kind !== 'mls') return { problem: 'plaintext-chat' };
  const opened = await openChat(member, message.body.data);
  // The server names the sender and the recipient; MLS says who really sent it and for whom.
  if (opened === undefined || opened.from !== message.from || opened.to !== message.to) return { problem: 'chat-rejected' };
  if (opened.to !== undefined && opened.to !== self) return { problem: 'chat-rejected' };
  return { message: { ...opened, sentAt: message.sentAt } };
}

/** A relayed `signal` from someone else: opened only if it is a sealed signal from the sender the server names. */
export async function receiveSignal(member: MlsMember | undefined, message: ServerMessageOf<'signal'>): Promise<Received<E2eeSignalMessage, 'signal-rejected'>> {
  const opened = await openSealed(member, message.data, decodeSealedSignal);
  if (opened === undefined || opened.from !== message.from) return { problem: 'signal-rejected' };
  return { message: { from: opened.from, signal: opened.value, sentAt: message.sentAt } };
}

/** A relayed `poll` from someone else: opened only if it is a sealed poll message from the sender the server names, for whom it names, and for us. */
export async function receivePoll(
  member: MlsMember | undefined,
  self: string | undefined,
  message: ServerMessageOf<'poll'>,
): Promise<Received<E2eePollMessage, 'poll-rejected'>> {
  const opened = await openSealed(member, message.data, decodeSealedPoll);
  if (opened === undefined || opened.from !== message.from || opened.value.to !== message.to) return { problem: 'poll-rejected' };
  const to = opened.value.to;
  if (to !== undefined && to !== self) return { problem: 'poll-rejected' };
  return { message: { from: opened.from, ...(to === undefined ? {} : { to }), poll: opened.value.poll, sentAt: message.sentAt } };
}

function requireGroup(member: MlsMember | undefined): MlsMember {
  if (member === undefined) throw new TypeError('not in the MLS group yet');
  return member;
}

/**
 * Opens an MLS application message and reads its payload with `decode`, the one payload schema the message
 * type that carried it allows; undefined if it cannot be opened or decoded. The sender is the one MLS names.
 */
export async function openSealed<T>(member: MlsMember | undefined, data: string, decode: (bytes: Uint8Array) => T | undefined): Promise<{ from: string; value: T } | undefined> {
  if (member === undefined) return undefined;
  let opened: Awaited<ReturnType<MlsMember['decryptApplication']>>;
  try {
    opened = await member.decryptApplication(fromBase64(data));
  } catch {
    return undefined;
  }
  const value = decode(opened.data);
  opened.data.fill(0);
  return value === undefined ? undefined : { from: opened.sender, value };
}
