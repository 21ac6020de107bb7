/**
 * The account pages' addresses and what each needs before it is drawn: `/signin` and `/enrol` are for people
 * not signed in (someone signed in who opens /signin goes home), `/account` and `/admin` for people signed in
 * (someone signed out is sent to /signin, and comes back after signing in).
 *
 * `/enrol#<token>`: the token is taken out of the address bar here, synchronously, before anything else runs
 * (a shared screen or a screenshot must not show it; the fragment never reaches the server). So is the
 * `#oidc-error=<code>` the server's single sign-on sends back to `/signin` when it did not work.
 */
import { accountView } from './account-view.ts';
import { adminRefusedView, adminView } from './admin-view.ts';
import { enrolView } from './enrol-view.ts';
import { loadSession } from './session.ts';
import { signinView } from './signin-view.ts';
import { returnPath } from './ui.ts';

export type AccountPageName = 'signin' | 'enrol' | 'account' | 'admin';

export function accountPageOf(pathname: string): AccountPageName | null {
  const match = /^\/(signin|enrol|account|admin)\/?$/.exec(pathname);
  return match ? (match[1] as AccountPageName) : null;
}

/** The one-time enrolment token of `/enrol#<token>` (base64url), or null. */
export function enrolTokenFrom(hash: string): string | null {
  const token = hash.replace(/^#/, '');
  return /^[A-Za-z0-9_-]{16,256}$/.test(token) ? token : null;
}

/** The code of `#oidc-error=<code>` (src/server/accounts/oidc/routes.ts), if that is what the fragment says. */
export function oidcErrorFrom(hash: string): string | null {
  const code = new URLSearchParams(hash.replace(/^#/, '')).get('oidc-error');
  return code && /^[a-z-]{1,32}$/.test(code) ? code : null;
}

export interface PageHost {
  /** Puts a page on screen (app.ts). Account pages follow a change of language themselves. */
  show(view: HTMLElement): void;
  navigate(url: string): void;
}

/** Draws an account page; resolves once it is on screen. */
export async function openAccountPage(name: AccountPageName, host: PageHost): Promise<void> {
  // `/enrol#<token>`, or `/signin#oidc-error=<code>` after single sign-on failed: read, then out of the address bar.
  const hash = location.hash;
  if (hash !== '') history.replaceState(null, '', location.pathname + location.search);
  const token = name === 'enrol' ? enrolTokenFrom(hash) : null;
  const session = await loadSession();
  const signedIn = session?.signedIn === true ? session : null;
  switch (name) {
    case 'signin': {
      const next = returnPath(location.search);
      if (signedIn) return host.navigate(next);
      host.show(signinView(session, () => host.navigate(next), oidcErrorFrom(hash)).element);
      return;
    }
    case 'enrol':
      // Someone signed in may set up another account (an administrator testing a link): the link decides.
      host.show(enrolView(token, () => host.navigate('/')).element);
      return;
    case 'account':
    case 'admin': {
      if (!signedIn) return host.navigate(`/signin?next=/${name}`);
      if (name === 'account') host.show(accountView(signedIn, host.navigate).element);
      else host.show((signedIn.user.role === 'admin' ? adminView : adminRefusedView)(signedIn, host.navigate).element);
      return;
    }
  }
}
