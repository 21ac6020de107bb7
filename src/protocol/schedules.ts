/**
 * Shapes of scheduled meetings and personal invitations shared by the server, the signalling protocol and the
 * web pages: e-mail addresses, schedule ids, and how the server says who a waiting person is.
 *
 * An e-mail address is text other people see (hosts read it in the waiting room), so besides its shape it obeys
 * the typed-text rule of text.ts: no controls, no bidi overrides, no line breaks.
 */
import * as z from 'zod/mini';
import { isTypedTextAllowed } from './text.ts';

/** RFC 5321's limit on a whole address. */
export const MAX_EMAIL_LENGTH = 254;
/** Most invitees one schedule has. */
export const MAX_INVITEES = 100;

/**
 * A sane address, not all of RFC 5322: a local part of printable characters without spaces, quotes, angle
 * brackets or separators that mail headers treat specially, and a domain of at least two DNS labels. Quoted
 * local parts and address literals are refused on purpose: nobody types them, and they are where header
 * injection lives.
 */
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True when `text` is an address Sabha accepts (see EMAIL_PATTERN). */
export function isEmailAddress(text: string): boolean {
  return text.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(text) && isTypedTextAllowed(text) && !text.includes('..');
}

/** An e-mail address, trimmed and lower-cased (addresses are compared without case, as mail systems do in practice). */
export const emailAddress = z.string().check(z.trim(), z.toLowerCase(), z.maxLength(MAX_EMAIL_LENGTH), z.refine(isEmailAddress, { message: 'not an e-mail address' }));

/** A schedule's id: 80 random bits as 20 hex characters. */
export const scheduleId = z.string().check(z.regex(/^[a-f0-9]{20}$/));

/**
 * Who the server knows a waiting person to be, shown to hosts as "verified: <email>": `account` when the person's
 * socket is signed in (the session says the address), `invitation` when they came with a personal invitation
 * link sent to that address. Absent when the server knows nothing beyond the typed name.
 */
export const verifiedIdentity = z.strictObject({
  kind: z.enum(['invitation', 'account']),
  email: z.string().check(z.maxLength(MAX_EMAIL_LENGTH), z.refine(isEmailAddress, { message: 'not an e-mail address' })),
});
export type VerifiedIdentity = z.infer<typeof verifiedIdentity>;
