/**
 * What the account pages tell a person when a passkey ceremony did not work (passkey-client.ts gives a reason
 * and the server's code; this turns them into a sentence in the page's language).
 */
import { t } from '../i18n/index.ts';
import type { PasskeyFailure } from './passkey-client.ts';

/** `during`: signing in or registering (enrolment or the account page): a refusal is said differently. */
export function passkeyFailureText(failure: PasskeyFailure, during: 'sign-in' | 'register'): () => string {
  switch (failure.reason) {
    case 'not-supported':
      return () => t('passkey.error.not-supported');
    case 'cancelled':
      return () => t('passkey.error.cancelled');
    case 'already-registered':
      return () => t('passkey.error.already-registered');
    case 'slow-down': {
      const seconds = Math.max(1, Math.ceil(failure.retryAfterSeconds ?? 1));
      return () => t('accounts.error.slow-down', { count: seconds });
    }
    case 'refused':
      if (failure.code === 'too-many-passkeys') return () => t('passkey.error.too-many');
      if (failure.code === 'passkey-exists') return () => t('passkey.error.already-registered');
      if (failure.code === 'sign-in-required') return () => t('accounts.error.signed-out');
      return () => t(during === 'sign-in' ? 'passkey.error.signin-refused' : 'passkey.error.register-refused');
    case 'failed':
      return () => t(failure.code === 'network' ? 'accounts.error.network' : 'passkey.error.failed');
  }
}
