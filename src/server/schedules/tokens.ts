/**
 * Personal invitation tokens: 256 random bits (base64url, the protocol's `secretToken` shape), shown once, in the
 * link `<publicUrl>/i/<token>`. The database keeps only their SHA-256, so looking a token up is hashing it and
 * finding the row; a forged token finds none.
 */
import { createHash, randomBytes } from 'node:crypto';

export const newInvitationToken = (): string => randomBytes(32).toString('base64url');

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The link an invitee opens. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/i/${token}`;
}
