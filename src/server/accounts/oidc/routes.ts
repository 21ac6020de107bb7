/**
 * Single sign-on with the organisation's OpenID Connect provider (docs/accounts.md "Single sign-on"): the
 * authorization code flow with PKCE (S256), `state` and `nonce`, a confidential client (client secret, HTTP Basic).
 *
 *   GET /api/oidc/start     → 302 to the provider's authorization endpoint (scope `openid email profile`), with
 *                             the flow cookie (flow-cookie.ts)
 *   GET /api/oidc/callback  → the code is exchanged (openid-client checks state, the ID token's signature, issuer,
 *                             audience, expiry and nonce, and sends the PKCE verifier), the e-mail matched
 *                             (account-match.ts), the session started (method 'oidc'): 302 `/`
 *
 * Both are top-level navigations, so a failure is a redirect too, to `/signin#oidc-error=<code>` (`unavailable`:
 * the provider cannot be reached now; `cancelled`: the person declined at the provider; `refused`: no Sabha user
 * may sign in with that identity; `failed`: anything else, e.g. an expired attempt or a tampered callback). The
 * code is in the fragment, which the page reads and no server log sees. Why it was refused goes to the audit log
 * (`oidc-sign-in-refused`), never to the browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as client from 'openid-client';
import { pathOf } from '../../http/json-api.ts';
import type { AccountsContext } from '../context.ts';
import type { HttpRoute } from '../types.ts';
import { relyingPartyFor } from '../passkeys/relying-party.ts';
import { matchUser, type ProviderIdentity } from './account-match.ts';
import { IssuerDiscovery } from './discovery.ts';
import { clearFlowCookie, FLOW_TTL_MS, readFlowCookie, setFlowCookie } from './flow-cookie.ts';

export const CALLBACK_PATH = '/api/oidc/callback';
const SCOPE = 'openid email profile';
/** How long after start discovery begins (see oidcRoutes). */
const DISCOVERY_DELAY_MS = 1_000;

type FailureCode = 'unavailable' | 'cancelled' | 'refused' | 'failed';

export type OidcContext = Pick<AccountsContext, 'config' | 'log' | 'users' | 'sessions' | 'audit' | 'auditRefusal' | 'cookies' | 'clientAddress' | 'now'>;

/** The routes when `oidc` is configured, none otherwise. Discovery starts in the background a moment later. */
export function oidcRoutes(ctx: OidcContext): HttpRoute[] {
  const settings = ctx.config.oidc;
  if (!settings) return [];
  const log = ctx.log.child('oidc');
  if (!IssuerDiscovery.issuerAllowed(settings.issuer)) {
    log.error('oidc.issuer must be https (or http on a loopback address): single sign-on is off');
    return [];
  }
  const discovery = new IssuerDiscovery(settings, log, () => ctx.now());
  // Discovery starts a moment after start, in the background. The timer does not keep a process alive: the
  // `sabha` CLI, which opens accounts too, is usually done before it fires, and then never contacts the provider.
  setTimeout(() => void discovery.configuration(), DISCOVERY_DELAY_MS).unref();

  const redirectUri = (req: IncomingMessage): string | undefined => {
    const origin = relyingPartyFor(ctx.config.publicUrl, req)?.origin;
    return origin === undefined ? undefined : `${origin}${CALLBACK_PATH}`;
  };

  const refuse = async (req: IncomingMessage, res: ServerResponse, code: FailureCode, detail: string, userId: string | null = null) => {
    await ctx.auditRefusal({ type: 'oidc-sign-in-refused', userId, address: ctx.clientAddress(req), detail });
    redirect(res, `/signin#oidc-error=${code}`);
  };

  const start = async (req: IncomingMessage, res: ServerResponse) => {
    const configuration = await discovery.configuration();
    const callback = redirectUri(req);
    if (!configuration || !callback) return redirect(res, '/signin#oidc-error=unavailable');
    const flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      expiresAt: ctx.now() + FLOW_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: callback,
      scope: SCOPE,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    setFlowCookie(res, ctx.cookies, flow);
    redirect(res, url.href);
  };

  const callback = async (req: IncomingMessage, res: ServerResponse) => {
    const flow = readFlowCookie(req, ctx.cookies, ctx.now());
    // One attempt, one callback: the cookie goes whatever happens next.
    clearFlowCookie(res, ctx.cookies);
    const callbackUri = redirectUri(req);
    const configuration = await discovery.configuration();
    if (!configuration || !callbackUri) return redirect(res, '/signin#oidc-error=unavailable');
    if (!flow) return refuse(req, res, 'failed', 'no-flow');
    const currentUrl = new URL(req.url ?? '', callbackUri);
    const providerError = currentUrl.searchParams.get('error');
    if (providerError !== null) return refuse(req, res, providerError === 'access_denied' ? 'cancelled' : 'failed', 'provider-error');

    let identity: ProviderIdentity;
    try {
      const tokens = await client.authorizationCodeGrant(
        configuration,
        currentUrl,
        // The redirect_uri sent with the code is currentUrl without its query: callbackUri, as at the start.
        { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true },
      );
      const claims = tokens.claims();
      if (!claims) return refuse(req, res, 'failed', 'no-id-token');
      identity = identityOf(claims);
      // Many providers put e-mail claims only in the UserInfo response when an access token is issued.
      if (identity.email === undefined || claims.email_verified === undefined) {
        identity = identityOf(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub));
      }
    } catch (error) {
      // A wrong state, a bad or replayed code, an ID token that does not verify: the attempt ends here.
      log.warn('single sign-on callback refused', { error: errorCode(error) });
      return refuse(req, res, 'failed', 'callback-invalid');
    }

    const match = await matchUser(ctx.users, identity, settings.autoCreateUsers);
    if (!match.ok) return refuse(req, res, 'refused', match.reason, match.userId);
    if (match.created) await ctx.audit.record({ type: 'user-created', userId: match.user.id, address: ctx.clientAddress(req), detail: 'oidc' });
    await ctx.sessions.signIn(req, res, match.user.id, 'oidc');
    redirect(res, '/');
  };

  const route = (path: string, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): HttpRoute => async (req, res) => {
    if (pathOf(req) !== path || req.method !== 'GET') return false;
    try {
      await handler(req, res);
    } catch (error) {
      log.error('single sign-on request failed', { error });
      if (!res.headersSent) redirect(res, '/signin#oidc-error=failed');
      else res.end();
    }
    return true;
  };

  return [route('/api/oidc/start', start), route(CALLBACK_PATH, callback)];
}

function identityOf(claims: Record<string, unknown>): ProviderIdentity {
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 320 ? value : undefined);
  return {
    email: text(claims.email),
    // Only a JSON true counts: some providers send "true" as a string, which a strict reading refuses.
    emailVerified: claims.email_verified === true,
    name: text(claims.name) ?? text(claims.preferred_username),
  };
}

/** The openid-client error code (e.g. OAUTH_INVALID_RESPONSE), never its message (it may quote the response). */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code.slice(0, 64) : error instanceof Error ? error.name : 'unknown';
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': '0', 'Referrer-Policy': 'no-referrer' });
  res.end();
}
