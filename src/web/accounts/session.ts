/**
 * Who this browser is signed in as, from `GET /api/session` (the cookie is HttpOnly: only the server reads it).
 * Loading the session also sets the CSRF token that the page's state-changing requests carry.
 */
import { apiGet, apiPost, setCsrfToken } from './api-client.ts';
import { done, sessionInfo, type SessionInfo } from './schemas.ts';

/** The session as the server sees it; null when it could not be asked (the pages then act as if signed out). */
export async function loadSession(): Promise<SessionInfo | null> {
  try {
    const session = await apiGet('/session', sessionInfo);
    setCsrfToken(session.signedIn ? session.csrf : null);
    return session;
  } catch {
    setCsrfToken(null);
    return null;
  }
}

/** Ends this browser's session (`everywhere`: every session of the account). Best effort: the page goes on. */
export async function signOut(everywhere: boolean): Promise<void> {
  await apiPost(everywhere ? '/auth/signout-everywhere' : '/auth/signout', {}, done);
  setCsrfToken(null);
}
