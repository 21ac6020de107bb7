/**
 * In-meeting signals: raise hand and reactions. Like chat they are MLS application messages (the server sees
 * ciphertext only), but they travel in their own `signal` message, which the server relays to everyone whatever
 * the chat mode (a class with chat off can still raise hands), under its own rate limit and size limit
 * (docs/protocol.md section 4.5). The sealed payload is `{v:1, signal}` where `signal` is one of a closed union.
 * A chat payload has `text` and a signal payload has `signal`; both schemas are strict, so neither can be read
 * as the other, and the session opens a `signal` message only as a signal and a `chat` only as chat.
 *
 * Nothing in a signal is free text: a reaction is one of a fixed set of emoji, a hand carries only a time.
 * Who may send which signal (only hosts and co-hosts lower someone else's hand) is the receiver's decision,
 * from the roster (src/client/in-meeting-signals.ts): the schema only says what a signal may look like.
 */
import * as z from 'zod/mini';
import { participantId } from '../../protocol/primitives.ts';
import { typedText } from '../../protocol/text.ts';
import { decodeSealed, encodeSealed } from './sealed-json.ts';

/** The reactions everyone can send. A fixed set, so a reaction can never carry text. */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉'] as const;
export type Reaction = (typeof REACTIONS)[number];

/**
 * A host's message to everyone in every breakout room (src/client/breakout/): one line, short enough that 300
 * characters of a 3-byte script stay well inside MAX_SEALED_SIGNAL_BYTES once sealed.
 */
export const MAX_BREAKOUT_BROADCAST = 300;

/** Server times (ms since 1970) from 2020 to 2100: a re-announced hand's original time must look like one. */
const serverTime = z.int().check(z.gte(1_577_836_800_000), z.lte(4_102_444_800_000));

const signal = z.discriminatedUnion('kind', [
  /**
   * Our own hand. `at` is set only when re-announcing a hand raised earlier (for people who joined since): the
   * server time at which the original raise was relayed, so late joiners can put it in its place in the queue.
   */
  z.strictObject({ kind: z.literal('hand-raised'), at: z.optional(serverTime) }),
  z.strictObject({ kind: z.literal('hand-lowered') }),
  /** A host or co-host lowers someone else's hand. Receivers ignore it from anybody else. */
  z.strictObject({ kind: z.literal('lower-hand'), of: participantId }),
  /** A host or co-host lowers every hand. */
  z.strictObject({ kind: z.literal('lower-all-hands') }),
  z.strictObject({ kind: z.literal('reaction'), emoji: z.enum(REACTIONS) }),
  /**
   * A host's or co-host's message to every breakout room, sent in the main meeting (where everyone stays a
   * member while in a room). Receivers ignore it from anybody else (src/client/breakout/breakout.ts).
   */
  z.strictObject({ kind: z.literal('breakout-broadcast'), text: typedText({ min: 1, max: MAX_BREAKOUT_BROADCAST, trim: true }) }),
]);
export type Signal = z.infer<typeof signal>;

const sealedSignal = z.strictObject({ v: z.literal(1), signal });

/** The payload to seal for a signal; throws TypeError for anything the schema refuses. */
export function encodeSealedSignal(value: Signal): Uint8Array {
  return encodeSealed(sealedSignal, { v: 1, signal: value }, 'signal not allowed');
}

/** Returns undefined for anything that is not a well-formed sealed signal (unknown kinds and fields included). */
export function decodeSealedSignal(bytes: Uint8Array): Signal | undefined {
  return decodeSealed(sealedSignal, bytes)?.signal;
}
