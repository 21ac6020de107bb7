/**
 * Slows credential stuffing and guessing at sign-in, in memory (one node; a restart forgets, which only helps the
 * attacker by one round of free failures).
 *
 * Counters, each a FailureThrottle (src/server/security/failure-throttle.ts: free failures, then a delay that
 * doubles with every further failure up to a ceiling, forgotten after quiet hours):
 *
 * | counter | key | free | ceiling | stops |
 * |---|---|---|---|---|
 * | password per account | lower-cased e-mail | 5 | 15 min | many addresses (a botnet) against one account |
 * | password per address | client address | 20 | 15 min | one address against many accounts |
 * | TOTP per account | user id | 5 | 15 min | guessing the 6 digits after a stolen password |
 * | TOTP per address | client address | 20 | 15 min | the same from one address |
 * | passkey per address | client address | 20 | 15 min | a flood of forged assertions |
 *
 * A passkey sign-in consults only the passkey counter of its address: no number of password or TOTP failures
 * against an account, from anywhere, delays its owner's passkey sign-in. Per-address counters allow more free
 * failures than per-account ones because one office behind NAT is one address.
 */
import { FailureThrottle } from '../security/failure-throttle.ts';
import type { SignInThrottle, ThrottleVerdict } from './types.ts';

export interface ThrottleSettings {
  accountFreeFailures: number;
  addressFreeFailures: number;
  /** The first delay after the free failures; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  /** Bounds memory under a flood of distinct keys (random e-mails, spoofed addresses behind a proxy). */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  accountFreeFailures: 5,
  addressFreeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 6 * 60 * 60_000,
  maxKeys: 100_000,
};

type Kind = 'password' | 'totp' | 'passkey';

export function createSignInThrottle(settings: ThrottleSettings = DEFAULT_THROTTLE, now: () => number = Date.now): SignInThrottle {
  const make = (freeFailures: number) =>
    new FailureThrottle({ freeFailures, baseDelayMs: settings.baseDelayMs, maxDelayMs: settings.maxDelayMs, forgetAfterMs: settings.forgetAfterMs, maxKeys: settings.maxKeys, now });
  const perAccount: Record<Kind, FailureThrottle | undefined> = {
    password: make(settings.accountFreeFailures),
    totp: make(settings.accountFreeFailures),
    // Never: a passkey sign-in has no account-wide counter that others could drive up.
    passkey: undefined,
  };
  const perAddress: Record<Kind, FailureThrottle> = {
    password: make(settings.addressFreeFailures),
    totp: make(settings.addressFreeFailures),
    passkey: make(settings.addressFreeFailures),
  };

  return {
    check(kind, address, accountKey): ThrottleVerdict {
      const account = accountKey === undefined ? 0 : (perAccount[kind]?.waitFor(accountKey) ?? 0);
      const wait = Math.max(account, perAddress[kind].waitFor(address));
      return { allowed: wait === 0, retryAfterSeconds: Math.ceil(wait / 1000) };
    },
    failure(kind, address, accountKey) {
      perAddress[kind].recordFailure(address);
      if (accountKey !== undefined) perAccount[kind]?.recordFailure(accountKey);
    },
    success(kind, address, accountKey) {
      // A success clears the account's counter (its owner got in) but not the address's: an attacker who owns
      // one account must not reset the address counter of a stuffing run with it.
      if (accountKey !== undefined) perAccount[kind]?.recordSuccess(accountKey);
    },
  };
}
