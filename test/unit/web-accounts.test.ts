/**
 * The account pages' pure parts (src/web/accounts/): which addresses are account pages, the enrolment token
 * taken from a link's fragment, where to return after signing in (only pages of ours), the TOTP secret in
 * groups of four, and the API client's typed failures (a wrong shape or a network failure never reaches a page
 * as anything but a code).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as z from 'zod/mini';
import { ApiFailure, apiGet, apiPost, CSRF_HEADER, setCsrfToken } from '../../src/web/accounts/api-client.ts';
import { accountPageOf, enrolTokenFrom, oidcErrorFrom } from '../../src/web/accounts/routes.ts';
import { sessionInfo } from '../../src/web/accounts/schemas.ts';
import { groupSecret } from '../../src/web/accounts/totp-setup.ts';
import { returnPath } from '../../src/web/accounts/ui.ts';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  setCsrfToken(null);
});

/** Answers every request with `status` and `body`, and keeps what was asked. */
function fakeFetch(status: number, body: unknown): { calls: { url: string; init: RequestInit }[] } {
  const seen = { calls: [] as { url: string; init: RequestInit }[] };
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    seen.calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
  return seen;
}

describe('the account pages', () => {
  it('knows the account pages’ addresses and nothing else', () => {
    assert.equal(accountPageOf('/signin'), 'signin');
    assert.equal(accountPageOf('/enrol'), 'enrol');
    assert.equal(accountPageOf('/account/'), 'account');
    assert.equal(accountPageOf('/admin'), 'admin');
    assert.equal(accountPageOf('/admin/users'), null);
    assert.equal(accountPageOf('/'), null);
    assert.equal(accountPageOf('/m/abcdefghijklmnop'), null);
  });

  it('takes an enrolment token only when the fragment is one', () => {
    const token = 'A'.repeat(43);
    assert.equal(enrolTokenFrom(`#${token}`), token);
    assert.equal(enrolTokenFrom(''), null);
    assert.equal(enrolTokenFrom('#short'), null);
    assert.equal(enrolTokenFrom('#pc=abc&host=def'), null);
    assert.equal(enrolTokenFrom(`#${token}<script>`), null);
  });

  it('reads the single sign-on failure code from the fragment, and nothing else', () => {
    assert.equal(oidcErrorFrom('#oidc-error=refused'), 'refused');
    assert.equal(oidcErrorFrom('#oidc-error=<b>'), null);
    assert.equal(oidcErrorFrom('#something=else'), null);
    assert.equal(oidcErrorFrom(''), null);
  });

  it('returns after sign-in only to a page of its own, never to another site', () => {
    assert.equal(returnPath('?next=/admin'), '/admin');
    assert.equal(returnPath('?next=/account'), '/account');
    assert.equal(returnPath('?next=//evil.example/'), '/');
    assert.equal(returnPath('?next=https://evil.example/'), '/');
    assert.equal(returnPath('?next=/m/abcdefghijklmnop'), '/');
    assert.equal(returnPath(''), '/');
  });

  it('shows the TOTP secret in groups of four, without padding', () => {
    assert.equal(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    assert.equal(groupSecret('ABCDEF=='), 'ABCD EF');
  });

  it('reads both shapes of the session and refuses any other', () => {
    assert.equal(sessionInfo.safeParse({ signedIn: false, whoMayHost: 'accounts', oidc: null }).success, true);
    const signedIn = { signedIn: true, user: { id: 'u1', email: 'a@b.example', displayName: 'A', role: 'admin' }, csrf: 'c', whoMayHost: 'anyone', factors: { totp: false, passkeys: 1 } };
    assert.equal(sessionInfo.safeParse(signedIn).success, true);
    assert.equal(sessionInfo.safeParse({ ...signedIn, user: { ...signedIn.user, role: 'owner' } }).success, false);
    assert.equal(sessionInfo.safeParse({ signedIn: true, whoMayHost: 'accounts', oidc: null }).success, false);
  });
});

describe('the account API client', () => {
  it('sends JSON with the session’s CSRF token on a POST, and none on a GET', async () => {
    const seen = fakeFetch(200, { ok: true });
    setCsrfToken('token-1');
    await apiPost('/auth/signout', {}, z.looseObject({}));
    await apiGet('/session', z.looseObject({}));
    const [post, get] = seen.calls;
    assert.equal(post!.url, '/api/auth/signout');
    assert.equal((post!.init.headers as Record<string, string>)[CSRF_HEADER], 'token-1');
    assert.equal((post!.init.headers as Record<string, string>)['Content-Type'], 'application/json');
    assert.equal(post!.init.body, '{}');
    assert.equal((get!.init.headers as Record<string, string>)[CSRF_HEADER], undefined);
  });

  it('turns the server’s error into a typed failure with its code and wait', async () => {
    fakeFetch(429, { error: 'slow-down', retryAfterSeconds: 8 });
    await assert.rejects(apiPost('/auth/password', { email: 'a', password: 'b' }, z.looseObject({})), (error: unknown) => {
      assert.ok(error instanceof ApiFailure);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'slow-down');
      assert.equal(error.retryAfterSeconds, 8);
      return true;
    });
    fakeFetch(400, { error: 'weak-password', hints: ['too-short'] });
    await assert.rejects(apiPost('/enrol/password', {}, z.looseObject({})), (error: unknown) => error instanceof ApiFailure && error.code === 'weak-password' && error.hints[0] === 'too-short');
  });

  it('calls an answer of the wrong shape, or none, a bad response or a network failure', async () => {
    fakeFetch(200, { signedIn: 'yes' });
    await assert.rejects(apiGet('/session', sessionInfo), (error: unknown) => error instanceof ApiFailure && error.code === 'bad-response');
    fakeFetch(500, '<html>oops</html>');
    await assert.rejects(apiGet('/session', sessionInfo), (error: unknown) => error instanceof ApiFailure && error.code === 'bad-response' && error.status === 500);
    globalThis.fetch = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await assert.rejects(apiGet('/session', sessionInfo), (error: unknown) => error instanceof ApiFailure && error.code === 'network');
  });
});
