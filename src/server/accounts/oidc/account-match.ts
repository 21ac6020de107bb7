/**
 * Which Sabha user a provider's identity signs in as: the one whose e-mail is the provider's `email` claim, and only
 * when the provider vouches for that address (`email_verified: true`): an unverified address could be anyone's,
 * typed in at the provider. A disabled user is refused. An address Sabha does not know is refused, unless
 * `oidc.autoCreateUsers` lets it become a new member.
 */
import { EMAIL_PATTERN, normaliseEmail } from '../users.ts';
import type { User, Users } from '../types.ts';

export interface ProviderIdentity {
  email: string | undefined;
  emailVerified: boolean;
  /** `name`, else `preferred_username`: the display name of a user created at first sign-in. */
  name: string | undefined;
}

export type MatchRefusal = 'email-unverified' | 'unknown-user' | 'disabled';
export type MatchOutcome = { ok: true; user: User; created: boolean } | { ok: false; reason: MatchRefusal; userId: string | null };

const MAX_DISPLAY_NAME = 100;

export async function matchUser(users: Users, identity: ProviderIdentity, autoCreateUsers: boolean): Promise<MatchOutcome> {
  const email = identity.email === undefined ? undefined : normaliseEmail(identity.email);
  if (email === undefined || !identity.emailVerified || !EMAIL_PATTERN.test(email)) return { ok: false, reason: 'email-unverified', userId: null };
  const existing = await users.byEmail(email);
  if (existing) return existing.disabled ? { ok: false, reason: 'disabled', userId: existing.id } : { ok: true, user: existing, created: false };
  if (!autoCreateUsers) return { ok: false, reason: 'unknown-user', userId: null };
  try {
    const user = await users.create({ email, displayName: displayNameFrom(identity.name, email), role: 'member' });
    return { ok: true, user, created: true };
  } catch {
    // Created meanwhile by a concurrent sign-in (email-taken): use that one, as for any known address.
    const raced = await users.byEmail(email);
    if (raced && !raced.disabled) return { ok: true, user: raced, created: false };
    return { ok: false, reason: raced ? 'disabled' : 'unknown-user', userId: raced?.id ?? null };
  }
}

/** The provider's name without control or format characters, bounded; the address's local part when it has none. */
function displayNameFrom(name: string | undefined, email: string): string {
  const cleaned = (name ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, MAX_DISPLAY_NAME);
  return cleaned || email.split('@')[0]!;
}
