/**
 * Passkeys over raw HTTP, with a software authenticator (test/helpers/webauthn-authenticator.ts) standing in for the
 * browser's: enrolment with a passkey, discoverable sign-in, and the attacks the issue names: a replayed assertion
 * and a cloned authenticator (signature counter), a challenge used twice or after five minutes, an assertion for
 * another origin or RP id, registration without a session or token, and requests from another origin or without
 * the CSRF token. Each refused, nothing changed, and the real user still gets in. On SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { createAuditLog } from '../../src/server/accounts/audit.ts';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import type { DatabaseOptions } from '../../src/server/store/open.ts';
import { BrowserLikeClient } from '../helpers/browser-like-client.ts';
import { forEachDatabase } from '../helpers/databases.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { SoftwareAuthenticator, type CreationOptionsJSON, type RequestOptionsJSON } from '../helpers/webauthn-authenticator.ts';

const CHALLENGE_LIFETIME_MS = 5 * 60_000;

interface Enrolled {
  browser: BrowserLikeClient;
  authenticator: SoftwareAuthenticator;
  userId: string;
  credentialId: string;
}

/** A Sabha server in `accounts` mode on the database under test, and the test's own hands on its accounts. */
interface AccountsServer {
  url: string;
  accounts: {
    users: ReturnType<typeof createUsers>;
    audit: ReturnType<typeof createAuditLog>;
    context: { enrolment: ReturnType<typeof createEnrolment>; credentials: ReturnType<typeof createCredentials> };
  };
  close(): Promise<void>;
}

async function startAccountsServer(db: Database, database: DatabaseOptions, now?: () => number): Promise<AccountsServer> {
  const server = await startTestServer({ overrides: { whoMayHost: 'accounts', database }, ...(now ? { accounts: { now } } : {}) });
  const credentials = createCredentials(db);
  return {
    url: server.url,
    accounts: { users: createUsers(db), audit: createAuditLog(db), context: { enrolment: createEnrolment(db, credentials), credentials } },
    close: () => server.close(),
  };
}

/** An administrator-made account enrolled with a passkey through its one-time link, as the /enrol page does it. */
async function enrolWithPasskey(server: AccountsServer, email: string): Promise<Enrolled> {
  const user = await server.accounts.users.create({ email, displayName: 'Test Person', role: 'member' });
  const token = await server.accounts.context.enrolment.issue(user.id, 'enrol');
  const browser = new BrowserLikeClient(server.url);
  const authenticator = new SoftwareAuthenticator(server.url);
  const options = await browser.post('/api/passkeys/register/options', { token });
  assert.equal(options.status, 200, JSON.stringify(options.body));
  const response = authenticator.register(options.body as unknown as CreationOptionsJSON);
  const verified = await browser.post('/api/passkeys/register/verify', { token, response, name: 'Laptop' });
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  assert.equal(verified.body.signedIn, true);
  return { browser, authenticator, userId: user.id, credentialId: response.id };
}

/** Asks for sign-in options as a fresh browser would. */
async function signInOptions(browser: BrowserLikeClient): Promise<RequestOptionsJSON> {
  const answer = await browser.post('/api/passkeys/signin/options', {});
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as unknown as RequestOptionsJSON;
}

async function auditTypes(server: AccountsServer): Promise<string[]> {
  return (await server.accounts.audit.list({ limit: 1000 })).map((e) => e.type);
}

describe('passkeys over raw HTTP', () => {
  forEachDatabase('enrolment with a passkey and discoverable sign-in', async (db, { t, options }) => {
    const server = await startAccountsServer(db, options);
    t.after(() => server.close());

    await t.test('a passkey registered with an enrolment token signs the person in and spends the token', async () => {
      const user = await server.accounts.users.create({ email: 'priya@example.org', displayName: 'Priya', role: 'member' });
      const token = await server.accounts.context.enrolment.issue(user.id, 'enrol');
      const browser = new BrowserLikeClient(server.url);
      const authenticator = new SoftwareAuthenticator(server.url);
      const options = await browser.post('/api/passkeys/register/options', { token });
      assert.equal(options.status, 200);
      const creation = options.body as unknown as CreationOptionsJSON & { authenticatorSelection: { residentKey: string }; attestation: string };
      assert.equal(creation.rp.id, '127.0.0.1');
      assert.equal(creation.user.name, 'priya@example.org');
      assert.equal(creation.authenticatorSelection.residentKey, 'required', 'sign-in asks for no e-mail, so the credential must be discoverable');
      assert.equal(creation.attestation, 'none');
      const verified = await browser.post('/api/passkeys/register/verify', { token, response: authenticator.register(creation) });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.signedIn, true);
      const session = await browser.refreshSession();
      assert.equal(session.signedIn, true);
      assert.deepEqual((session.user as { email: string }).email, 'priya@example.org');
      assert.equal((session.factors as { passkeys: number }).passkeys, 1);

      const again = await new BrowserLikeClient(server.url).post('/api/passkeys/register/options', { token });
      assert.equal(again.status, 400, 'the token was spent');
      assert.equal(again.body.error, 'invalid-token');
      const types = await auditTypes(server);
      assert.ok(types.includes('passkey-registered') && types.includes('enrolment-used'));
    });

    await t.test('a person signs in with their passkey without typing an e-mail', async () => {
      const { authenticator, userId } = await enrolWithPasskey(server, 'arjun@example.org');
      const browser = new BrowserLikeClient(server.url);
      const options = await signInOptions(browser);
      assert.equal(options.rpId, '127.0.0.1');
      assert.deepEqual(options.allowCredentials ?? [], [], 'discoverable credentials: the browser offers what it holds');
      const answer = await browser.post('/api/passkeys/signin/verify', { response: authenticator.assert(options) });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const session = await browser.refreshSession();
      assert.equal(session.signedIn, true);
      assert.equal((session.user as { id: string }).id, userId);
      const list = await browser.get('/api/passkeys');
      assert.equal(list.status, 200);
      const passkeys = list.body.passkeys as { name: string; lastUsedAt: number | null }[];
      assert.equal(passkeys.length, 1);
      assert.equal(passkeys[0]!.name, 'Laptop');
      assert.ok(passkeys[0]!.lastUsedAt !== null, 'the sign-in is recorded on the passkey');
    });

    await t.test('wrong passwords against an account until it is throttled do not delay its owner’s passkey sign-in', async () => {
      const { authenticator, userId } = await enrolWithPasskey(server, 'target@example.org');
      const attacker = new BrowserLikeClient(server.url);
      let last = 0;
      for (let i = 0; i < 30; i++) last = (await attacker.post('/api/auth/password', { email: 'target@example.org', password: `guess-${i}-Password!` })).status;
      assert.equal(last, 429, 'password attempts against the account are throttled');
      // The owner, from the same address even, signs in with the passkey at once.
      const owner = new BrowserLikeClient(server.url);
      const answer = await owner.post('/api/passkeys/signin/verify', { response: authenticator.assert(await signInOptions(owner)) });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(((await owner.refreshSession()).user as { id: string }).id, userId);
    });

    await t.test('a signed-in person adds a second passkey, and deletes one but not their last way in', async () => {
      const { browser, credentialId } = await enrolWithPasskey(server, 'meera@example.org');
      await browser.refreshSession();
      const phone = new SoftwareAuthenticator(server.url);
      const options = await browser.post('/api/passkeys/register/options', {});
      assert.equal(options.status, 200);
      const excluded = (options.body.excludeCredentials as { id: string }[]).map((c) => c.id);
      assert.deepEqual(excluded, [credentialId], 'the authenticator is told which credential it already holds');
      const added = await browser.post('/api/passkeys/register/verify', { response: phone.register(options.body as unknown as CreationOptionsJSON), name: 'Phone' });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.equal(added.body.signedIn, false);
      const passkeys = (await browser.get('/api/passkeys')).body.passkeys as { id: string; name: string }[];
      assert.deepEqual(passkeys.map((p) => p.name).sort(), ['Laptop', 'Phone']);

      const phoneId = passkeys.find((p) => p.name === 'Phone')!.id;
      const laptopId = passkeys.find((p) => p.name === 'Laptop')!.id;
      assert.equal((await browser.post(`/api/passkeys/${phoneId}/delete`, {})).status, 200);
      const last = await browser.post(`/api/passkeys/${laptopId}/delete`, {});
      assert.equal(last.status, 409);
      assert.equal(last.body.error, 'last-sign-in-method');
      assert.equal(((await browser.get('/api/passkeys')).body.passkeys as unknown[]).length, 1);

      const phoneOptions = await signInOptions(new BrowserLikeClient(server.url));
      const withDeleted = await new BrowserLikeClient(server.url).post('/api/passkeys/signin/verify', { response: phone.assert(phoneOptions) });
      assert.equal(withDeleted.status, 401, 'a deleted passkey signs no one in');
    });
  });

  forEachDatabase('replayed and cloned assertions', async (db, { t, options }) => {
    const server = await startAccountsServer(db, options);
    t.after(() => server.close());
    const { authenticator, userId, credentialId } = await enrolWithPasskey(server, 'victim@example.org');

    await t.test('an assertion sent a second time is refused, and the real user still signs in', async () => {
      const browser = new BrowserLikeClient(server.url);
      const assertion = authenticator.assert(await signInOptions(browser));
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: assertion })).status, 200);
      const attacker = new BrowserLikeClient(server.url);
      const replay = await attacker.post('/api/passkeys/signin/verify', { response: assertion });
      assert.equal(replay.status, 401);
      assert.equal(replay.body.error, 'passkey-refused');
      assert.equal((await attacker.refreshSession()).signedIn, false);
      assert.equal(attacker.cookies.size, 0, 'no session cookie');
    });

    await t.test('an assertion whose counter did not advance (a cloned authenticator) is refused and audited', async () => {
      const clone = authenticator.clone();
      const counter = authenticator.counterOf(credentialId);
      // The real user signs in: the counter moves to counter + 1.
      const browser = new BrowserLikeClient(server.url);
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: authenticator.assert(await signInOptions(browser)) })).status, 200);
      // The clone signs a fresh challenge with the same counter: a valid signature, a counter that did not move.
      const attacker = new BrowserLikeClient(server.url);
      const cloned = clone.assert(await signInOptions(attacker), { counter: counter + 1 });
      const refused = await attacker.post('/api/passkeys/signin/verify', { response: cloned });
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error, 'passkey-refused');
      assert.equal((await attacker.refreshSession()).signedIn, false);
      const lower = await attacker.post('/api/passkeys/signin/verify', { response: clone.assert(await signInOptions(attacker), { counter: 1 }) });
      assert.equal(lower.status, 401, 'a lower counter is refused too');

      const replays = (await server.accounts.audit.list({ limit: 1000 })).filter((e) => e.type === 'passkey-replay');
      assert.ok(replays.length >= 2, 'each clone attempt is audited as a possible replay');
      assert.ok(replays.every((e) => e.userId === userId));

      // The real user is not locked out: their authenticator's counter is ahead.
      const real = new BrowserLikeClient(server.url);
      assert.equal((await real.post('/api/passkeys/signin/verify', { response: authenticator.assert(await signInOptions(real)) })).status, 200);
      assert.equal((await real.refreshSession()).signedIn, true);
    });

    await t.test('two assertions with the same counter sent at once (an authenticator and its clone) sign in at most one', async () => {
      const clone = authenticator.clone();
      const counter = authenticator.counterOf(credentialId) + 1;
      const [a, b] = [new BrowserLikeClient(server.url), new BrowserLikeClient(server.url)];
      const [first, second] = [authenticator.assert(await signInOptions(a), { counter }), clone.assert(await signInOptions(b), { counter })];
      const answers = await Promise.all([a.post('/api/passkeys/signin/verify', { response: first }), b.post('/api/passkeys/signin/verify', { response: second })]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 401]);
    });

    await t.test('a sign-in challenge answered twice is refused the second time', async () => {
      const browser = new BrowserLikeClient(server.url);
      const options = await signInOptions(browser);
      const first = authenticator.assert(options);
      const second = authenticator.assert(options);
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: first })).status, 200);
      const reused = await new BrowserLikeClient(server.url).post('/api/passkeys/signin/verify', { response: second });
      assert.equal(reused.status, 401, 'the challenge was single-use, even with an advancing counter');
    });

    await t.test('a challenge the server never issued is refused', async () => {
      const forged = authenticator.assert({ challenge: Buffer.alloc(32, 7).toString('base64url'), rpId: '127.0.0.1' });
      assert.equal((await new BrowserLikeClient(server.url).post('/api/passkeys/signin/verify', { response: forged })).status, 401);
    });
  });

  forEachDatabase('assertions and registrations for another origin or relying party', async (db, { t, options }) => {
    const server = await startAccountsServer(db, options);
    t.after(() => server.close());
    const { authenticator } = await enrolWithPasskey(server, 'asha@example.org');

    await t.test('an assertion made on another origin (a phishing page) is refused', async () => {
      const browser = new BrowserLikeClient(server.url);
      const phished = authenticator.assert(await signInOptions(browser), { origin: 'https://sabha-login.example' });
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: phished })).status, 401);
      assert.equal((await browser.refreshSession()).signedIn, false);
    });

    await t.test('an assertion for another relying party id is refused', async () => {
      const browser = new BrowserLikeClient(server.url);
      const other = authenticator.assert(await signInOptions(browser), { rpId: 'example.org' });
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: other })).status, 401);
    });

    await t.test('an assertion of the wrong ceremony type (a registration clientData) is refused', async () => {
      const browser = new BrowserLikeClient(server.url);
      const wrongType = authenticator.assert(await signInOptions(browser), { type: 'webauthn.create' });
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: wrongType })).status, 401);
    });

    await t.test('a registration made on another origin is refused and stores nothing', async () => {
      const user = await server.accounts.users.create({ email: 'ravi@example.org', displayName: 'Ravi', role: 'member' });
      const token = await server.accounts.context.enrolment.issue(user.id, 'enrol');
      const browser = new BrowserLikeClient(server.url);
      const options = (await browser.post('/api/passkeys/register/options', { token })).body as unknown as CreationOptionsJSON;
      const foreign = new SoftwareAuthenticator('https://evil.example').register(options, { rpId: '127.0.0.1' });
      const refused = await browser.post('/api/passkeys/register/verify', { token, response: foreign });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'passkey-refused');
      assert.equal((await browser.refreshSession()).signedIn, false);
      assert.equal(await server.accounts.context.credentials.passkeyCount(user.id), 0);
      assert.ok(await server.accounts.context.enrolment.inspect(token), 'the token is still unspent');
    });

    await t.test('the passkey of a disabled user signs no one in', async () => {
      const { authenticator: theirs, userId } = await enrolWithPasskey(server, 'leaver@example.org');
      await server.accounts.users.setDisabled(userId, true);
      const browser = new BrowserLikeClient(server.url);
      assert.equal((await browser.post('/api/passkeys/signin/verify', { response: theirs.assert(await signInOptions(browser)) })).status, 401);
      assert.equal((await browser.refreshSession()).signedIn, false);
    });
  });

  forEachDatabase('registration needs a session with its CSRF token, or an enrolment token', async (db, { t, options }) => {
    let offset = 0;
    const server = await startAccountsServer(db, options, () => Date.now() + offset);
    t.after(() => server.close());
    const { browser, authenticator } = await enrolWithPasskey(server, 'kiran@example.org');
    await browser.refreshSession();

    await t.test('registration options without a session or token are refused', async () => {
      const stranger = new BrowserLikeClient(server.url);
      const answer = await stranger.post('/api/passkeys/register/options', {});
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'sign-in-required');
      const verify = await stranger.post('/api/passkeys/register/verify', { response: new SoftwareAuthenticator(server.url).register({ challenge: 'AAAA', rp: { name: 'x' }, user: { id: 'eA', name: 'x', displayName: 'x' } }) });
      assert.equal(verify.status, 401);
    });

    await t.test('an unknown enrolment token is refused', async () => {
      const answer = await new BrowserLikeClient(server.url).post('/api/passkeys/register/options', { token: 'A'.repeat(43) });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid-token');
    });

    await t.test('a signed-in request without the CSRF token, or from another origin, changes nothing', async () => {
      const before = ((await browser.get('/api/passkeys')).body.passkeys as unknown[]).length;
      const noCsrf = await browser.post('/api/passkeys/register/options', {}, { csrf: null });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.body.error, 'csrf');
      const wrongCsrf = await browser.post('/api/passkeys/register/options', {}, { csrf: 'not-the-token' });
      assert.equal(wrongCsrf.status, 403);
      const crossOrigin = await browser.post('/api/passkeys/register/options', {}, { origin: 'https://evil.example' });
      assert.equal(crossOrigin.status, 403);
      assert.equal(crossOrigin.body.error, 'cross-origin');
      const noOrigin = await browser.post('/api/passkeys/signin/options', {}, { origin: null });
      assert.equal(noOrigin.status, 403);

      const id = ((await browser.get('/api/passkeys')).body.passkeys as { id: string }[])[0]!.id;
      const deleteWithoutCsrf = await browser.post(`/api/passkeys/${id}/delete`, {}, { csrf: null });
      assert.equal(deleteWithoutCsrf.status, 403);
      const deleteCrossOrigin = await browser.post(`/api/passkeys/${id}/delete`, {}, { origin: 'https://evil.example' });
      assert.equal(deleteCrossOrigin.status, 403);
      assert.equal(((await browser.get('/api/passkeys')).body.passkeys as unknown[]).length, before, 'nothing changed');
    });

    await t.test('a registration challenge is single-use and bound to the account it was issued for', async () => {
      const options = (await browser.post('/api/passkeys/register/options', {})).body as unknown as CreationOptionsJSON;
      const key = new SoftwareAuthenticator(server.url);
      const first = key.register(options);
      const second = key.register(options);
      assert.equal((await browser.post('/api/passkeys/register/verify', { response: first, name: 'Key' })).status, 200);
      const reused = await browser.post('/api/passkeys/register/verify', { response: second, name: 'Key 2' });
      assert.equal(reused.status, 400);
      assert.equal(reused.body.error, 'passkey-refused');

      // Someone else's session cannot complete a ceremony issued to this account.
      const other = await enrolWithPasskey(server, 'other@example.org');
      await other.browser.refreshSession();
      const mine = (await browser.post('/api/passkeys/register/options', {})).body as unknown as CreationOptionsJSON;
      const theirs = await other.browser.post('/api/passkeys/register/verify', { response: new SoftwareAuthenticator(server.url).register(mine) });
      assert.equal(theirs.status, 400);
    });

    await t.test('a challenge older than five minutes is refused', async () => {
      const fresh = new BrowserLikeClient(server.url);
      const options = await signInOptions(fresh);
      offset += CHALLENGE_LIFETIME_MS + 1;
      const late = await fresh.post('/api/passkeys/signin/verify', { response: authenticator.assert(options) });
      assert.equal(late.status, 401);
      const onTime = await fresh.post('/api/passkeys/signin/verify', { response: authenticator.assert(await signInOptions(fresh)) });
      assert.equal(onTime.status, 200, 'a fresh challenge still works');
    });

    await t.test('a malformed response is a bad request, not a server error', async () => {
      const fresh = new BrowserLikeClient(server.url);
      const answer = await fresh.post('/api/passkeys/signin/verify', { response: { id: 'x', rawId: 'x', type: 'public-key', response: {}, clientExtensionResults: {} } });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'bad-request');
      const extra = await fresh.post('/api/passkeys/signin/options', { email: 'kiran@example.org' });
      assert.equal(extra.status, 400, 'strict bodies: an unknown field is refused');
    });
  });
});
