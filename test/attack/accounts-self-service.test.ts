/**
 * Attacks on the self-service account changes (POST /api/account/password, /api/account/totp/*) over raw HTTP,
 * on SQLite and on PostgreSQL: a change without the current password, with a stolen session but no second
 * factor, from another site, with a replayed code, to a weak password. Each is refused and changes nothing; a
 * real change revokes every other session, rotates this one, and leaves the old credential worthless.
 */
import assert from 'node:assert/strict';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { totpAt } from '../../src/server/accounts/totp.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import { api, enrolUser, sessionOf, signInWithPassword, startAccountsServer, testClock, type EnrolledUser, type Session } from '../helpers/accounts-http.ts';
import { forEachDatabase } from '../helpers/databases.ts';
import { SoftwareAuthenticator, type CreationOptionsJSON, type RequestOptionsJSON } from '../helpers/webauthn-authenticator.ts';

const NEW_PASSWORD = 'saffron-heron-drifts-over-Kaveri-9';

/** The user's credentials and live sessions: what a refused attempt must leave as it was. */
async function credentialState(db: Database, userId: string) {
  return {
    password: await db.all('SELECT hash FROM password_credentials WHERE user_id = ?', [userId]),
    totp: await db.all('SELECT secret FROM totp_secrets WHERE user_id = ?', [userId]),
    sessions: await db.all('SELECT id_hash FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY id_hash', [userId]),
  };
}

const change = (server: { url: string }, session: Session, body: unknown, extra: { origin?: string | null; csrf?: string | undefined } = {}) =>
  api(server, 'POST', '/api/account/password', { cookie: session.cookie, csrf: 'csrf' in extra ? extra.csrf : session.csrf, body, ...('origin' in extra ? { origin: extra.origin } : {}) });

const signedIn = async (server: { url: string }, cookie: string) => (await api(server, 'GET', '/api/session', { cookie })).body.signedIn === true;

forEachDatabase('a password change without the current password, or with a stolen session but no second factor, is refused and changes nothing', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const before = await credentialState(db, user.id);
    clock.advance(30_000);
    const code = totpAt(user.totpSecret, clock.now());

    // The thief holds the cookie and its CSRF token (both are in the stolen browser), but not the credentials.
    const noProof = await change(server, user, { newPassword: NEW_PASSWORD });
    assert.deepEqual([noProof.status, noProof.body.error], [400, 'reauth-required']);
    const codeOnly = await change(server, user, { newPassword: NEW_PASSWORD, code });
    assert.deepEqual([codeOnly.status, codeOnly.body.error], [400, 'reauth-required']);
    const passwordOnly = await change(server, user, { newPassword: NEW_PASSWORD, currentPassword: user.password });
    assert.deepEqual([passwordOnly.status, passwordOnly.body.error], [400, 'reauth-required'], 'the password alone is not enough');
    const wrongPassword = await change(server, user, { newPassword: NEW_PASSWORD, currentPassword: 'not-the-password-at-all', code });
    assert.deepEqual([wrongPassword.status, wrongPassword.body.error], [401, 'reauth-failed']);
    const wrongCode = await change(server, user, { newPassword: NEW_PASSWORD, currentPassword: user.password, code: code === '000000' ? '000001' : '000000' });
    assert.deepEqual([wrongCode.status, wrongCode.body.error], [401, 'reauth-failed'], 'a wrong code is the same answer as a wrong password');
    assert.deepEqual(await credentialState(db, user.id), before, 'nothing changed');

    // Guessing the password through the session is throttled like sign-in.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await change(server, user, { newPassword: NEW_PASSWORD, currentPassword: `guess-number-${i}`, code })).status);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 401).length <= 5, 'only the free failures were checked');
    assert.deepEqual(await credentialState(db, user.id), before, 'nothing changed');
    const audited = await db.all("SELECT detail FROM audit_events WHERE type = 'reauth-failed' AND user_id = ?", [user.id]);
    assert.ok(audited.length >= 2);
  } finally {
    await server.close();
  }
});

forEachDatabase('a password change from another site, or without the CSRF token, is refused even with every credential', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const before = await credentialState(db, user.id);
    clock.advance(30_000);
    const body = { newPassword: NEW_PASSWORD, currentPassword: user.password, code: totpAt(user.totpSecret, clock.now()) };
    const foreign = await change(server, user, body, { origin: 'https://evil.example' });
    assert.deepEqual([foreign.status, foreign.body.error], [403, 'cross-origin']);
    const noOrigin = await change(server, user, body, { origin: null });
    assert.deepEqual([noOrigin.status, noOrigin.body.error], [403, 'cross-origin']);
    const noCsrf = await change(server, user, body, { csrf: undefined });
    assert.deepEqual([noCsrf.status, noCsrf.body.error], [403, 'csrf']);
    const wrongCsrf = await change(server, user, body, { csrf: 'A'.repeat(43) });
    assert.deepEqual([wrongCsrf.status, wrongCsrf.body.error], [403, 'csrf']);
    const form = await api(server, 'POST', '/api/account/password', { cookie: user.cookie, csrf: user.csrf, raw: new URLSearchParams(body).toString(), contentType: 'application/x-www-form-urlencoded' });
    assert.equal(form.status >= 400 && form.status < 500, true, 'a form post is refused');
    assert.deepEqual(await credentialState(db, user.id), before, 'nothing changed');
    // The same request from the page itself works (the code was not spent by the refusals).
    assert.equal((await change(server, user, body)).status, 200);
  } finally {
    await server.close();
  }
});

forEachDatabase('a TOTP code already used at sign-in or by an earlier change is refused as a replay', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const attempt = await signInWithPassword(server, user, clock);
    assert.ok(attempt.session);
    // The code the sign-in just used, seen over a shoulder or in a captured request.
    const usedCode = totpAt(user.totpSecret, clock.now());
    const before = await credentialState(db, user.id);
    const replay = await change(server, attempt.session, { newPassword: NEW_PASSWORD, currentPassword: user.password, code: usedCode });
    assert.deepEqual([replay.status, replay.body.error], [401, 'reauth-failed']);
    assert.deepEqual(await credentialState(db, user.id), before);
    assert.ok((await db.all("SELECT id FROM audit_events WHERE type = 'totp-replay' AND user_id = ?", [user.id])).length >= 1);

    clock.advance(30_000);
    const fresh = totpAt(user.totpSecret, clock.now());
    const first = await change(server, attempt.session, { newPassword: NEW_PASSWORD, currentPassword: user.password, code: fresh });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const rotated = await sessionOf(server, first);
    const again = await change(server, rotated, { newPassword: `${NEW_PASSWORD}-again`, currentPassword: NEW_PASSWORD, code: fresh });
    assert.deepEqual([again.status, again.body.error], [401, 'reauth-failed'], 'the code of a change is spent too');
  } finally {
    await server.close();
  }
});

forEachDatabase('after a password change the old password fails, every other session is dead, and this browser stays signed in with a new session', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const laptop = await signInWithPassword(server, user, clock, '198.51.100.31');
    const phone = await signInWithPassword(server, user, clock, '198.51.100.32');
    assert.ok(laptop.session && phone.session);
    clock.advance(30_000);
    const changed = await change(server, laptop.session, { newPassword: NEW_PASSWORD, currentPassword: user.password, code: totpAt(user.totpSecret, clock.now()) });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.changed, true);

    const rotated = await sessionOf(server, changed);
    assert.notEqual(rotated.cookie, laptop.session.cookie, 'this browser got a new session id');
    assert.equal(await signedIn(server, rotated.cookie), true, 'this browser is still signed in');
    assert.equal(await signedIn(server, laptop.session.cookie), false, 'its old session id is dead');
    assert.equal(await signedIn(server, phone.session.cookie), false, 'the other session is dead');
    assert.equal(await signedIn(server, user.cookie), false, 'the enrolment session is dead');

    const old = await api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: user.password }, ip: '198.51.100.33' });
    assert.deepEqual([old.status, old.body.error], [401, 'invalid-credentials'], 'the old password no longer works');
    const renewed: EnrolledUser = { ...user, password: NEW_PASSWORD };
    assert.ok((await signInWithPassword(server, renewed, clock, '198.51.100.33')).session, 'the new password does');

    const events = await db.all<{ detail: string | null }>("SELECT detail FROM audit_events WHERE type = 'password-changed' AND user_id = ?", [user.id]);
    assert.deepEqual(
      events.map((e) => e.detail),
      ['changed.password-totp'],
    );
    const everything = JSON.stringify(await db.all('SELECT * FROM audit_events'));
    assert.ok(!everything.includes(NEW_PASSWORD) && !everything.includes(user.password), 'no password in the audit log');
  } finally {
    await server.close();
  }
});

forEachDatabase('a weak or common new password is refused with hints before any credential is checked', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const before = await credentialState(db, user.id);
    clock.advance(30_000);
    const code = totpAt(user.totpSecret, clock.now());
    for (const weak of ['Password123!', 'qwertyuiop12', `${user.email}1`, 'short']) {
      const refused = await change(server, user, { newPassword: weak, currentPassword: user.password, code });
      assert.deepEqual([refused.status, refused.body.error], [400, 'weak-password'], weak);
      assert.ok(Array.isArray(refused.body.hints) && (refused.body.hints as unknown[]).length > 0);
    }
    const same = await change(server, user, { newPassword: user.password, currentPassword: user.password, code });
    assert.deepEqual([same.status, same.body.error], [400, 'same-password']);
    assert.deepEqual(await credentialState(db, user.id), before);
    // The refusals spent neither the code nor a throttle's patience.
    assert.equal((await change(server, user, { newPassword: NEW_PASSWORD, currentPassword: user.password, code })).status, 200);
  } finally {
    await server.close();
  }
});

forEachDatabase('a replaced authenticator app needs re-authentication, and the old app’s codes stop working', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const begin = await api(server, 'POST', '/api/account/totp/begin', { cookie: user.cookie, csrf: user.csrf });
    assert.equal(begin.status, 200, JSON.stringify(begin.body));
    const newSecret = begin.body.secret as string;
    assert.notEqual(newSecret, user.totpSecret);
    clock.advance(30_000);
    const newCode = totpAt(newSecret, clock.now());
    const finish = (body: unknown) => api(server, 'POST', '/api/account/totp/finish', { cookie: user.cookie, csrf: user.csrf, body });

    const stolen = await finish({ newCode });
    assert.deepEqual([stolen.status, stolen.body.error], [400, 'reauth-required'], 'a stolen session cannot swap the app');
    const wrongNew = await finish({ newCode: newCode === '000000' ? '000001' : '000000', currentPassword: user.password, code: totpAt(user.totpSecret, clock.now()) });
    assert.deepEqual([wrongNew.status, wrongNew.body.error], [400, 'invalid-new-code']);
    assert.equal((await db.get<{ secret: string }>('SELECT secret FROM totp_secrets WHERE user_id = ?', [user.id]))?.secret, user.totpSecret);

    const done = await finish({ newCode, currentPassword: user.password, code: totpAt(user.totpSecret, clock.now()) });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(await signedIn(server, (await sessionOf(server, done)).cookie), true);
    assert.equal(await signedIn(server, user.cookie), false, 'the session before the change was rotated away');

    // Signing in: the old app's code is refused, the new app's accepted.
    const oldApp = await signInWithPassword(server, user, clock, '198.51.100.41');
    assert.deepEqual([oldApp.second?.status, oldApp.second?.body.error], [401, 'invalid-code']);
    clock.advance(30_000);
    assert.ok((await signInWithPassword(server, { ...user, totpSecret: newSecret }, clock, '198.51.100.41')).session);
    const events = await db.all<{ detail: string | null }>("SELECT detail FROM audit_events WHERE type = 'totp-replaced' AND user_id = ?", [user.id]);
    assert.deepEqual(
      events.map((e) => e.detail),
      ['replaced.password-totp'],
    );
    assert.ok(!JSON.stringify(await db.all('SELECT * FROM audit_events')).includes(newSecret), 'no secret in the audit log');
  } finally {
    await server.close();
  }
});

forEachDatabase('a passkey-only account adds an authenticator app and a password with a fresh passkey assertion of its own', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    // Enrolled with a passkey only, as the enrolment page's first choice does.
    const email = `passkey.${Date.now().toString(36)}@example.org`;
    const created = await createUsers(db).create({ email, displayName: 'Passkey Person', role: 'member' });
    const token = await createEnrolment(db, createCredentials(db)).issue(created.id, 'enrol');
    const authenticator = new SoftwareAuthenticator(server.url);
    const creation = await api(server, 'POST', '/api/passkeys/register/options', { body: { token } });
    const enrolled = await api(server, 'POST', '/api/passkeys/register/verify', { body: { token, response: authenticator.register(creation.body as unknown as CreationOptionsJSON) } });
    assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
    let session = await sessionOf(server, enrolled);
    const assertion = async (by = authenticator) => by.assert((await api(server, 'POST', '/api/passkeys/signin/options', {})).body as unknown as RequestOptionsJSON);

    // Someone else's passkey (the thief's own account) proves nothing about this one.
    const thief = await enrolUser(server, db, clock);
    const thiefKey = new SoftwareAuthenticator(server.url);
    const thiefOptions = await api(server, 'POST', '/api/passkeys/register/options', { cookie: thief.cookie, csrf: thief.csrf });
    assert.equal((await api(server, 'POST', '/api/passkeys/register/verify', { cookie: thief.cookie, csrf: thief.csrf, body: { response: thiefKey.register(thiefOptions.body as unknown as CreationOptionsJSON) } })).status, 200);
    const foreignKey = await change(server, session, { newPassword: NEW_PASSWORD, passkey: await assertion(thiefKey) });
    assert.deepEqual([foreignKey.status, foreignKey.body.error], [401, 'reauth-failed']);
    const noKey = await change(server, session, { newPassword: NEW_PASSWORD });
    assert.deepEqual([noKey.status, noKey.body.error], [400, 'reauth-required']);
    assert.equal((await credentialState(db, created.id)).password.length, 0);

    // The authenticator app first, then the password, each with a fresh assertion.
    const begin = await api(server, 'POST', '/api/account/totp/begin', { cookie: session.cookie, csrf: session.csrf });
    const secret = begin.body.secret as string;
    const app = await api(server, 'POST', '/api/account/totp/finish', { cookie: session.cookie, csrf: session.csrf, body: { newCode: totpAt(secret, clock.now()), passkey: await assertion() } });
    assert.equal(app.status, 200, JSON.stringify(app.body));
    session = await sessionOf(server, app);
    const reused = await change(server, session, { newPassword: NEW_PASSWORD, passkey: await assertion() });
    assert.equal(reused.status, 200, JSON.stringify(reused.body));
    session = await sessionOf(server, reused);
    const state = await api(server, 'GET', '/api/session', { cookie: session.cookie });
    assert.deepEqual(state.body.factors, { password: true, totp: true, passkeys: 1 });

    // From now on a change needs the password too, and the new password with the app signs in.
    clock.advance(30_000);
    const keyOnly = await change(server, session, { newPassword: `${NEW_PASSWORD}-x`, passkey: await assertion() });
    assert.deepEqual([keyOnly.status, keyOnly.body.error], [400, 'reauth-required']);
    const signIn = await signInWithPassword(server, { id: created.id, email, password: NEW_PASSWORD, totpSecret: secret, role: 'member' }, clock, '198.51.100.51');
    assert.ok(signIn.session, JSON.stringify(signIn.second?.body ?? signIn.first.body));
    const details = await db.all<{ type: string; detail: string | null }>("SELECT type, detail FROM audit_events WHERE user_id = ? AND type IN ('password-changed', 'totp-replaced') ORDER BY id", [created.id]);
    assert.deepEqual(details, [
      { type: 'totp-replaced', detail: 'added.passkey' },
      { type: 'password-changed', detail: 'added.passkey' },
    ]);
  } finally {
    await server.close();
  }
});
