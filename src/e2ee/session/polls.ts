/**
 * Polls as MLS application messages. A host or co-host opens a poll (question and 2 to 10 options), people
 * answer it to the poll's owner alone, the owner closes it and may share the results (counts only) with
 * everyone. They travel in their own `poll` message (docs/protocol.md section 4.5, `poll`), under its own size and
 * rate limit, so the server relays them without reading them; the sealed payload is `{v:1, poll, to?}`, where
 * `poll` is one of a closed union and `to` is the recipient of a message the server relays to one person (an
 * answer, or a poll re-sent to someone who joined after it opened). `to` is sealed with the payload, like a
 * private chat message's, so a server that hands the message to someone else is caught.
 *
 * The question and the options are text a person types and others see: the typed-text rule
 * (src/protocol/text.ts) applies to them, here, because the server never sees them. Who may send which kind
 * (only a host or co-host opens, closes and shares; only a member answers, once per poll, within range) is
 * the receiver's decision (src/client/polls.ts): the schema only says what a poll message may look like.
 */
import * as z from 'zod/mini';
import { participantId } from '../../protocol/primitives.ts';
import { typedText } from '../../protocol/text.ts';
import { decodeSealed, encodeSealed } from './sealed-json.ts';

export const MIN_POLL_OPTIONS = 2;
export const MAX_POLL_OPTIONS = 10;
export const MAX_POLL_QUESTION = 300;
export const MAX_POLL_OPTION = 100;
/**
 * Counts in shared results are bounded by the people a meeting can hold (MAX_MEETING_PARTICIPANTS +
 * MAX_MEETING_HOSTS in src/protocol/messages.ts), with room to spare.
 */
const MAX_POLL_COUNT = 10_000;

/** A poll's id, chosen at random by its owner: 16 random bytes in base64url (22 characters). */
export const pollId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/));

const question = typedText({ min: 1, max: MAX_POLL_QUESTION, trim: true });
const option = typedText({ min: 1, max: MAX_POLL_OPTION, trim: true });
const optionIndex = z.int().check(z.gte(0), z.lt(MAX_POLL_OPTIONS));
const count = z.int().check(z.gte(0), z.lte(MAX_POLL_COUNT));

const pollMessage = z.discriminatedUnion('kind', [
  /** A host or co-host asks. `multiple`: any number of options may be chosen; `anonymous`: the owner is shown counts only. */
  z.strictObject({
    kind: z.literal('poll-open'),
    poll: pollId,
    question,
    options: z.array(option).check(z.minLength(MIN_POLL_OPTIONS), z.maxLength(MAX_POLL_OPTIONS)),
    multiple: z.boolean(),
    anonymous: z.boolean(),
  }),
  /** A member's answer, to the poll's owner only: the indexes of the chosen options (each once). A later answer replaces it. */
  z.strictObject({
    kind: z.literal('poll-answer'),
    poll: pollId,
    choices: z.array(optionIndex).check(
      z.minLength(1),
      z.maxLength(MAX_POLL_OPTIONS),
      z.refine((list) => new Set(list).size === list.length, { message: 'an option is chosen twice' }),
    ),
  }),
  /** The owner closes the poll: no answer counts after it. */
  z.strictObject({ kind: z.literal('poll-close'), poll: pollId }),
  /** The owner shares the final counts (one per option) and how many people answered. Never who chose what. */
  z.strictObject({
    kind: z.literal('poll-results'),
    poll: pollId,
    counts: z.array(count).check(z.minLength(MIN_POLL_OPTIONS), z.maxLength(MAX_POLL_OPTIONS)),
    voters: count,
  }),
]);
export type PollMessage = z.infer<typeof pollMessage>;
export type PollMessageKind = PollMessage['kind'];

const sealedPoll = z.strictObject({ v: z.literal(1), poll: pollMessage, to: z.optional(participantId) });
export type SealedPoll = z.infer<typeof sealedPoll>;

/** The payload to seal for a poll message (and its one recipient, if any); throws TypeError for anything the schema refuses. */
export function encodeSealedPoll(poll: PollMessage, to?: string): Uint8Array {
  return encodeSealed(sealedPoll, to === undefined ? { v: 1, poll } : { v: 1, poll, to }, 'poll message not allowed');
}

/** Returns undefined for anything that is not a well-formed sealed poll message (unknown kinds and fields included). */
export function decodeSealedPoll(bytes: Uint8Array): SealedPoll | undefined {
  return decodeSealed(sealedPoll, bytes);
}

/** Checks a poll message before it is sealed: the same schema receivers apply (so a UI can refuse text early). */
export function isPollMessageAllowed(poll: PollMessage): boolean {
  return pollMessage.safeParse(poll).success;
}
