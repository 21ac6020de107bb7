/**
 * Single sign-on against a real OpenID Connect provider (`oidc-provider`, test/helpers/oidc-test-provider.ts) on a
 * loopback port, over raw HTTP: the browser's way from Sabha's /api/oidc/start through the provider's login and
 * consent pages back to /api/oidc/callback, and the session that results. Refused: a tampered state, a callback
 * in a browser that did not start the attempt, a code used twice, an unverified or unknown e-mail (unless
 * `autoCreateUsers`), a disabled user. Sabha starts while the provider is down and uses it once it is up.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createAuditLog } from '../../src/server/accounts/audit.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import { BrowserLikeClient } from '../helpers/browser-like-client.ts';
import { forEachDatabase } from '../helpers/databases.ts';
import { freePort, signInAtProvider, startTestProvider, type ProviderPerson } from '../helpers/oidc-test-provider.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const PEOPLE: Record<string, ProviderPerson> = {
  priya: { email: 'Priya@Example.org', emailVerified: true, name: 'Priya Sharma' },
  newcomer: { email: 'newcomer@example.org', emailVerified: true, name: 'New Comer' },
  unverified: { email: 'admin@example.org', emailVerified: false, name: 'Not Really Admin' },
  leaver: { email: 'leaver@example.org', emailVerified: true, name: 'Leaver' },
};

interface SsoAttempt {
  browser: BrowserLikeClient;
  /** Where Sabha sent the browser after the callback. */
  landing: string;
  callbackUrl: URL;
}

/** Start at Sabha, sign in at the provider as `login`, and come back (optionally with a changed callback URL). */
async function signInThroughProvider(server: TestServer, login: string, change?: (callback: URL) => void): Promise<SsoAttempt> {
  const browser = new BrowserLikeClient(server.url);
  const start = await browser.get('/api/oidc/start');
  assert.equal(start.status, 302, JSON.stringify(start.body));
  const authorization = new URL(start.headers.get('location')!);
  assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
  assert.ok(authorization.searchParams.get('state') && authorization.searchParams.get('nonce'), 'state and nonce');
  assert.match(start.headers.getSetCookie().join('\n'), /sabha_oidc=[^;]+;.*HttpOnly.*SameSite=Lax/, 'the attempt lives in an HttpOnly, Lax cookie');
  const callbackUrl = await signInAtProvider(authorization.href, login);
  assert.equal(callbackUrl.origin + callbackUrl.pathname, `${server.url}/api/oidc/callback`);
  change?.(callbackUrl);
  const callback = await browser.get(callbackUrl.href);
  assert.equal(callback.status, 302);
  return { browser, landing: callback.headers.get('location')!, callbackUrl };
}

async function refusals(db: Parameters<typeof createAuditLog>[0]): Promise<(string | null)[]> {
  return (await createAuditLog(db).list({ limit: 1000 })).filter((e) => e.type === 'oidc-sign-in-refused').map((e) => e.detail);
}

describe('single sign-on with OpenID Connect', () => {
  forEachDatabase('the authorization code flow against a real provider', async (db, { t, options }) => {
    const ports = { strict: await freePort(), autoCreate: await freePort() };
    const provider = await startTestProvider({
      redirectUris: [`http://127.0.0.1:${ports.strict}/api/oidc/callback`, `http://127.0.0.1:${ports.autoCreate}/api/oidc/callback`],
      people: PEOPLE,
    });
    t.after(() => provider.close());
    const oidc = { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, label: 'Example Staff Login' };
    const strict = await startTestServer({ overrides: { whoMayHost: 'accounts', database: options, port: ports.strict, oidc } });
    t.after(() => strict.close());
    const users = createUsers(db);
    const priya = await users.create({ email: 'priya@example.org', displayName: 'Priya', role: 'member' });
    const leaver = await users.create({ email: 'leaver@example.org', displayName: 'Leaver', role: 'member' });
    await users.setDisabled(leaver.id, true);

    await t.test('the sign-in page is told the provider’s label', async () => {
      const session = await new BrowserLikeClient(strict.url).refreshSession();
      assert.deepEqual(session.oidc, { label: 'Example Staff Login' });
    });

    await t.test('a person Sabha knows signs in through the provider, matched by verified e-mail, and the session works', async () => {
      const { browser, landing } = await signInThroughProvider(strict, 'priya');
      assert.equal(landing, '/');
      assert.equal(browser.cookies.has('sabha_oidc'), false, 'the attempt’s cookie is cleared');
      const session = await browser.refreshSession();
      assert.equal(session.signedIn, true);
      assert.equal((session.user as { id: string }).id, priya.id);
      const signIns = (await createAuditLog(db).list({ limit: 1000 })).filter((e) => e.type === 'sign-in' && e.userId === priya.id);
      assert.ok(signIns.some((e) => e.detail === 'oidc'), 'the sign-in is audited with its method');
    });

    await t.test('a tampered state is refused and signs no one in', async () => {
      const { browser, landing } = await signInThroughProvider(strict, 'priya', (url) => url.searchParams.set('state', 'A'.repeat(43)));
      assert.equal(landing, '/signin#oidc-error=failed');
      assert.equal((await browser.refreshSession()).signedIn, false);
      assert.ok((await refusals(db)).includes('callback-invalid'));
    });

    await t.test('a callback opened in a browser that did not start the attempt (login CSRF) is refused', async () => {
      const browser = new BrowserLikeClient(strict.url);
      const start = await browser.get('/api/oidc/start');
      const callbackUrl = await signInAtProvider(start.headers.get('location')!, 'priya');
      const victim = new BrowserLikeClient(strict.url);
      const answer = await victim.get(callbackUrl.href);
      assert.equal(answer.headers.get('location'), '/signin#oidc-error=failed');
      assert.equal((await victim.refreshSession()).signedIn, false);
      // The browser that did start it still completes it.
      const own = await browser.get(callbackUrl.href);
      assert.equal(own.headers.get('location'), '/');
      assert.equal((await browser.refreshSession()).signedIn, true);
    });

    await t.test('a callback URL used a second time is refused', async () => {
      const { browser, callbackUrl } = await signInThroughProvider(strict, 'priya');
      const replay = await browser.get(callbackUrl.href);
      assert.equal(replay.headers.get('location'), '/signin#oidc-error=failed', 'the attempt’s cookie was spent with the first callback');
    });

    await t.test('an e-mail Sabha does not know is refused when autoCreateUsers is off', async () => {
      const before = await users.count();
      const { browser, landing } = await signInThroughProvider(strict, 'newcomer');
      assert.equal(landing, '/signin#oidc-error=refused');
      assert.equal((await browser.refreshSession()).signedIn, false);
      assert.equal(await users.count(), before, 'no user was created');
      assert.ok((await refusals(db)).includes('unknown-user'));
    });

    await t.test('a disabled user is refused', async () => {
      const { browser, landing } = await signInThroughProvider(strict, 'leaver');
      assert.equal(landing, '/signin#oidc-error=refused');
      assert.equal((await browser.refreshSession()).signedIn, false);
      assert.ok((await refusals(db)).includes('disabled'));
    });

    await t.test('declining at the provider comes back as cancelled', async () => {
      const browser = new BrowserLikeClient(strict.url);
      const start = await browser.get('/api/oidc/start');
      const callbackUrl = await signInAtProvider(start.headers.get('location')!, 'priya', { decline: true });
      assert.equal(callbackUrl.searchParams.get('error'), 'access_denied');
      const answer = await browser.get(callbackUrl.href);
      assert.equal(answer.headers.get('location'), '/signin#oidc-error=cancelled');
      assert.equal((await browser.refreshSession()).signedIn, false);
    });

    const autoCreate = await startTestServer({ overrides: { whoMayHost: 'accounts', database: options, port: ports.autoCreate, oidc: { ...oidc, autoCreateUsers: true } } });
    t.after(() => autoCreate.close());

    await t.test('with autoCreateUsers on, a verified unknown e-mail becomes a new member at first sign-in', async () => {
      const { browser, landing } = await signInThroughProvider(autoCreate, 'newcomer');
      assert.equal(landing, '/');
      const session = await browser.refreshSession();
      assert.equal(session.signedIn, true);
      assert.deepEqual(session.user, { id: (await users.byEmail('newcomer@example.org'))!.id, email: 'newcomer@example.org', displayName: 'New Comer', role: 'member' });
      const created = (await createAuditLog(db).list({ limit: 1000 })).filter((e) => e.type === 'user-created' && e.detail === 'oidc');
      assert.equal(created.length, 1);
      // The second time, the same user: no new one.
      const second = await signInThroughProvider(autoCreate, 'newcomer');
      assert.equal(second.landing, '/');
      assert.equal((await createAuditLog(db).list({ limit: 1000 })).filter((e) => e.type === 'user-created' && e.detail === 'oidc').length, 1);
    });

    await t.test('with autoCreateUsers on, an e-mail the provider has not verified is still refused', async () => {
      const before = await users.count();
      const { browser, landing } = await signInThroughProvider(autoCreate, 'unverified');
      assert.equal(landing, '/signin#oidc-error=refused');
      assert.equal((await browser.refreshSession()).signedIn, false);
      assert.equal(await users.count(), before);
      assert.ok((await refusals(db)).includes('email-unverified'));
    });
  });

  forEachDatabase('a provider that is down when Sabha starts', async (db, { t, options }) => {
    const [sabhaPort, providerPort] = [await freePort(), await freePort()];
    let offset = 0;
    const server = await startTestServer({
      overrides: {
        whoMayHost: 'accounts',
        database: options,
        port: sabhaPort,
        oidc: { issuer: `http://127.0.0.1:${providerPort}`, clientId: 'sabha', clientSecret: 'not-yet-known', label: 'Staff' },
      },
      accounts: { now: () => Date.now() + offset },
    });
    t.after(() => server.close());

    await t.test('Sabha starts anyway, and single sign-on says it is unavailable', async () => {
      const session = await new BrowserLikeClient(server.url).refreshSession();
      assert.equal(session.signedIn, false, 'the rest of the API answers');
      const start = await new BrowserLikeClient(server.url).get('/api/oidc/start');
      assert.equal(start.status, 302);
      assert.equal(start.headers.get('location'), '/signin#oidc-error=unavailable');
    });

    await t.test('once the provider is up, the next attempt discovers it and signs in', async () => {
      // The provider comes up with the client secret Sabha was configured with.
      const provider = await startTestProvider({ redirectUris: [`${server.url}/api/oidc/callback`], people: PEOPLE, port: providerPort, clientSecret: 'not-yet-known' });
      t.after(() => provider.close());
      await createUsers(db).create({ email: 'priya@example.org', displayName: 'Priya', role: 'member' });
      offset += 60_000;
      const { browser, landing } = await signInThroughProvider(server, 'priya');
      assert.equal(landing, '/');
      assert.equal((await browser.refreshSession()).signedIn, true);
    });
  });
});
