/**
 * Attacks on accounts over raw HTTP and WebSocket, each on SQLite and on PostgreSQL (forEachDatabase): credential
 * stuffing from one address and from many, a stolen cookie after sign-out, cross-site requests, a replayed TOTP
 * code, a reused enrolment link, a disabled user's session, creating a meeting without a session, and a member
 * calling the admin API. Each is refused, changes nothing, and the real user still gets in.
 */
import assert from 'node:assert/strict';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { totpAt } from '../../src/server/accounts/totp.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import { api, enrolUser, signInWithPassword, startAccountsServer, testClock, type EnrolledUser } from '../helpers/accounts-http.ts';
import { forEachDatabase } from '../helpers/databases.ts';
import { SoftwareAuthenticator, type CreationOptionsJSON, type RequestOptionsJSON } from '../helpers/webauthn-authenticator.ts';
import { RawClient } from '../helpers/ws-client.ts';

/** What an attack must not change: credentials and live sessions of these users. */
async function credentialState(db: Database, users: EnrolledUser[]) {
  const ids = users.map((u) => u.id);
  const marks = ids.map(() => '?').join(', ');
  return {
    passwords: await db.all(`SELECT user_id, hash FROM password_credentials WHERE user_id IN (${marks}) ORDER BY user_id`, ids),
    totp: await db.all(`SELECT user_id, secret, last_used_step FROM totp_secrets WHERE user_id IN (${marks}) ORDER BY user_id`, ids),
    sessions: await db.all(`SELECT id_hash FROM sessions WHERE user_id IN (${marks}) AND revoked_at IS NULL ORDER BY id_hash`, ids),
    users: await db.all(`SELECT id, disabled, role FROM users WHERE id IN (${marks}) ORDER BY id`, ids),
  };
}

forEachDatabase('1000 wrong passwords from one address are throttled after a few, change nothing, and the real user still signs in', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const victims = [await enrolUser(server, db, clock), await enrolUser(server, db, clock), await enrolUser(server, db, clock)];
    const before = await credentialState(db, victims);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const target = i % 4 === 3 ? 'nobody@example.org' : victims[i % 3]!.email;
      const response = await api(server, 'POST', '/api/auth/password', { body: { email: target, password: `guess-${i}` }, ip: '203.0.113.66' });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 429) {
        assert.equal(response.body.error, 'slow-down');
        assert.ok((response.body.retryAfterSeconds as number) >= 1);
        assert.equal(response.headers.get('retry-after'), String(response.body.retryAfterSeconds));
      } else {
        assert.equal(response.status, 401);
        // The same answer for an unknown e-mail and a wrong password.
        assert.equal(response.body.error, 'invalid-credentials');
      }
      clock.advance(200);
    }
    // 1000 attempts over 200 s: 20 free failures for the address, then delays of 1, 2, 4 ... 64 s: 7 more fit.
    assert.ok((statuses.get(401) ?? 0) <= 28, `checked ${statuses.get(401)} passwords`);
    assert.ok((statuses.get(429) ?? 0) >= 972);
    assert.deepEqual(await credentialState(db, victims), before, 'no credential, session or user changed');

    // Each victim signs in from their own address, once their account's short delay (if any) has passed.
    for (const victim of victims) {
      let attempt = await signInWithPassword(server, victim, clock, '198.51.100.7');
      if (attempt.first.status === 429) {
        clock.advance((attempt.first.body.retryAfterSeconds as number) * 1000);
        attempt = await signInWithPassword(server, victim, clock, '198.51.100.7');
      }
      assert.ok(attempt.session, `${JSON.stringify(attempt.first.body)} ${JSON.stringify(attempt.second?.body)}`);
    }
    const failures = await db.all("SELECT id FROM audit_events WHERE type = 'sign-in-failed'");
    assert.ok(failures.length >= 20 && failures.length <= 60, `${failures.length} failures audited (rate-bounded)`);
  } finally {
    await server.close();
  }
});

forEachDatabase('1000 wrong passwords from many addresses are throttled per account, and passkey sign-in is never blocked by them', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const victims = [await enrolUser(server, db, clock), await enrolUser(server, db, clock), await enrolUser(server, db, clock)];
    // The third victim also has a passkey (registered while signed in, as the account page does).
    const authenticator = new SoftwareAuthenticator(server.url);
    const passkeyOwner = victims[2]!;
    const registerOptions = await api(server, 'POST', '/api/passkeys/register/options', { cookie: passkeyOwner.cookie, csrf: passkeyOwner.csrf });
    assert.equal(registerOptions.status, 200, JSON.stringify(registerOptions.body));
    const registered = await api(server, 'POST', '/api/passkeys/register/verify', {
      cookie: passkeyOwner.cookie,
      csrf: passkeyOwner.csrf,
      body: { response: authenticator.register(registerOptions.body as unknown as CreationOptionsJSON) },
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));

    const before = await credentialState(db, victims);
    let checked = 0;
    for (let i = 0; i < 1000; i++) {
      const victim = victims[i % 3]!;
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const response = await api(server, 'POST', '/api/auth/password', { body: { email: victim.email.toUpperCase(), password: `guess-${i}` }, ip });
      if (response.status === 401) checked += 1;
      else assert.equal(response.status, 429);
      clock.advance(300);
    }
    // 5 free failures per account, then delays doubling from 1 s: over 300 s only a handful more per account.
    assert.ok(checked <= 3 * 15, `checked ${checked} passwords`);
    assert.deepEqual(await credentialState(db, victims), before, 'no credential, session or user changed');

    // Right now the accounts' password sign-in is delayed...
    const blocked = await api(server, 'POST', '/api/auth/password', { body: { email: passkeyOwner.email, password: passkeyOwner.password }, ip: '198.51.100.9' });
    assert.equal(blocked.status, 429);
    // ...but the passkey owner signs in with the passkey at once.
    const signInOptions = await api(server, 'POST', '/api/passkeys/signin/options', { ip: '198.51.100.9' });
    assert.equal(signInOptions.status, 200, JSON.stringify(signInOptions.body));
    const signedIn = await api(server, 'POST', '/api/passkeys/signin/verify', {
      ip: '198.51.100.9',
      body: { response: authenticator.assert(signInOptions.body as unknown as RequestOptionsJSON) },
    });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.ok(signedIn.cookies.get('sabha_session'));
    // And the password-and-TOTP users get in once the delay has passed.
    clock.advance((blocked.body.retryAfterSeconds as number) * 1000);
    for (const victim of victims.slice(0, 2)) {
      const attempt = await signInWithPassword(server, victim, clock, '198.51.100.9');
      assert.ok(attempt.session, JSON.stringify(attempt.first.body));
    }
  } finally {
    await server.close();
  }
});

forEachDatabase('a session cookie stolen before sign-out is refused after it', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const { session } = await signInWithPassword(server, user, clock);
    const stolen = session!;
    assert.equal((await api(server, 'GET', '/api/session', { cookie: stolen.cookie })).body.signedIn, true);
    const out = await api(server, 'POST', '/api/auth/signout', { cookie: stolen.cookie, csrf: stolen.csrf });
    assert.equal(out.status, 200);
    assert.equal(out.cookies.get('sabha_session'), '');
    assert.equal((await api(server, 'GET', '/api/session', { cookie: stolen.cookie })).body.signedIn, false);
    const reuse = await api(server, 'POST', '/api/auth/signout-everywhere', { cookie: stolen.cookie, csrf: stolen.csrf });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error, 'sign-in-required');
    // "Sign out everywhere" from one browser ends the other browsers' sessions too.
    const a = (await signInWithPassword(server, user, clock)).session!;
    const b = (await signInWithPassword(server, user, clock)).session!;
    assert.equal((await api(server, 'POST', '/api/auth/signout-everywhere', { cookie: a.cookie, csrf: a.csrf })).status, 200);
    assert.equal((await api(server, 'GET', '/api/session', { cookie: b.cookie })).body.signedIn, false);
  } finally {
    await server.close();
  }
});

forEachDatabase('requests from another origin, without the CSRF header or not as JSON are refused and change nothing', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const admin = await enrolUser(server, db, clock, 'admin');
    const before = (await createUsers(db).list()).length;
    const body = { email: 'mallory@example.org', displayName: 'Mallory', role: 'admin' };
    const attempts = [
      { origin: 'https://evil.example', csrf: admin.csrf, expect: [403, 'cross-origin'] },
      { origin: null, csrf: admin.csrf, expect: [403, 'cross-origin'] },
      { csrf: undefined, expect: [403, 'csrf'] },
      { csrf: 'x'.repeat(43), expect: [403, 'csrf'] },
    ] as const;
    for (const attempt of attempts) {
      const response = await api(server, 'POST', '/api/admin/users', { cookie: admin.cookie, body, ...attempt });
      assert.deepEqual([response.status, response.body.error], attempt.expect);
    }
    // A form post (what a cross-site page can send without CORS) is not JSON.
    const form = await api(server, 'POST', '/api/admin/users', { cookie: admin.cookie, csrf: admin.csrf, raw: 'email=mallory%40example.org', contentType: 'application/x-www-form-urlencoded' });
    assert.deepEqual([form.status, form.body.error], [400, 'bad-request']);
    // Sign-out from another origin does not sign the admin out (login and logout CSRF).
    assert.equal((await api(server, 'POST', '/api/auth/signout-everywhere', { cookie: admin.cookie, csrf: admin.csrf, origin: 'https://evil.example' })).status, 403);
    assert.equal((await api(server, 'POST', '/api/auth/password', { body: { email: admin.email, password: admin.password }, origin: 'https://evil.example' })).status, 403);
    assert.equal((await createUsers(db).list()).length, before);
    assert.equal((await api(server, 'GET', '/api/session', { cookie: admin.cookie })).body.signedIn, true);
    // The right request works, and API responses carry the security headers and are never cached.
    const ok = await api(server, 'POST', '/api/admin/users', { cookie: admin.cookie, csrf: admin.csrf, body });
    assert.equal(ok.status, 200);
    assert.match(ok.body.enrolLink as string, new RegExp(`^${server.url}/enrol#[A-Za-z0-9_-]{43}$`));
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.match(ok.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
  } finally {
    await server.close();
  }
});

forEachDatabase('a replayed TOTP code is refused, and the next step’s code works', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const first = await signInWithPassword(server, user, clock);
    assert.ok(first.session);
    const code = totpAt(user.totpSecret, clock.now());
    // An attacker who saw the password and the code replays both within the same 30 seconds.
    const password = await api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: user.password }, ip: '203.0.113.5' });
    assert.equal(password.status, 200);
    const preauth = `sabha_preauth=${password.cookies.get('sabha_preauth')}`;
    const replay = await api(server, 'POST', '/api/auth/totp', { body: { code }, cookie: preauth, ip: '203.0.113.5' });
    assert.deepEqual([replay.status, replay.body.error], [401, 'invalid-code']);
    assert.equal(replay.cookies.get('sabha_session'), undefined);
    const audited = await db.all("SELECT user_id FROM audit_events WHERE type = 'totp-replay'");
    assert.deepEqual(audited.map((r) => r.user_id), [user.id]);
    // A TOTP step without a password first is no sign-in at all.
    const noPassword = await api(server, 'POST', '/api/auth/totp', { body: { code: totpAt(user.totpSecret, clock.now() + 30_000) } });
    assert.deepEqual([noPassword.status, noPassword.body.error], [401, 'sign-in-again']);
    // The real user, a step later, gets in.
    assert.ok((await signInWithPassword(server, user, clock)).session);
  } finally {
    await server.close();
  }
});

forEachDatabase('an enrolment link works once: reusing it is refused at every step', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await createUsers(db).create({ email: 'once@example.org', displayName: 'Once', role: 'member' });
    const token = await createEnrolment(db, createCredentials(db)).issue(user.id, 'enrol');
    const password = 'violet-otter-climbs-Nilgiri-once';
    assert.equal((await api(server, 'POST', '/api/enrol/password', { body: { token, password: 'Password123!' } })).body.error, 'weak-password');
    assert.equal((await api(server, 'POST', '/api/enrol/password', { body: { token, password } })).status, 200);
    const secret = (await api(server, 'POST', '/api/enrol/totp/begin', { body: { token } })).body.secret as string;
    assert.equal((await api(server, 'POST', '/api/enrol/totp/finish', { body: { token, code: totpAt(secret, clock.now()) } })).status, 200);
    const hashBefore = await createCredentials(db).passwordHash(user.id);

    clock.advance(30_000);
    for (const [path, body] of [
      ['/api/enrol/inspect', { token }],
      ['/api/enrol/password', { token, password: 'an-attacker-chooses-this-one-9' }],
      ['/api/enrol/totp/begin', { token }],
      ['/api/enrol/totp/finish', { token, code: totpAt(secret, clock.now()) }],
    ] as const) {
      const response = await api(server, 'POST', path, { body });
      assert.deepEqual([response.status, response.body.error], [404, 'invalid-token'], path);
      assert.equal(response.cookies.get('sabha_session'), undefined);
    }
    assert.equal(await createCredentials(db).passwordHash(user.id), hashBefore);
    const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM enrolment_tokens');
    assert.ok(stored.every((r) => r.token_hash !== token), 'only a hash of the token is stored');
  } finally {
    await server.close();
  }
});

forEachDatabase("a disabled user's session is refused at once, and their password no longer signs in", async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const admin = await enrolUser(server, db, clock, 'admin');
    const user = await enrolUser(server, db, clock);
    const disable = await api(server, 'POST', `/api/admin/users/${user.id}/disable`, { cookie: admin.cookie, csrf: admin.csrf });
    assert.equal(disable.status, 200);
    assert.equal((await api(server, 'GET', '/api/session', { cookie: user.cookie })).body.signedIn, false);
    const password = await api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: user.password } });
    assert.deepEqual([password.status, password.body.error], [401, 'invalid-credentials']);
    // Enabled again, the old session stays revoked; a fresh sign-in works.
    assert.equal((await api(server, 'POST', `/api/admin/users/${user.id}/enable`, { cookie: admin.cookie, csrf: admin.csrf })).status, 200);
    assert.equal((await api(server, 'GET', '/api/session', { cookie: user.cookie })).body.signedIn, false);
    assert.ok((await signInWithPassword(server, user, clock)).session);
  } finally {
    await server.close();
  }
});

forEachDatabase('create-meeting over a raw WebSocket needs a live session in accounts mode', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  const clients: RawClient[] = [];
  try {
    const user = await enrolUser(server, db, clock);
    const anonymous = await RawClient.connect(server.wsUrl);
    clients.push(anonymous);
    const refused = await anonymous.request({ type: 'create-meeting', title: '' });
    assert.equal(refused.type, 'error');
    assert.equal(refused.type === 'error' && refused.code, 'sign-in-required');
    // A forged or stale cookie is no better.
    const forged = await RawClient.connect(server.wsUrl, { cookie: `sabha_session=${'A'.repeat(43)}` });
    clients.push(forged);
    const forgedReply = await forged.request({ type: 'create-meeting', title: '' });
    assert.equal(forgedReply.type === 'error' && forgedReply.code, 'sign-in-required');
    assert.equal(server.registry.count, 0);

    const signedIn = await RawClient.connect(server.wsUrl, { cookie: user.cookie });
    clients.push(signedIn);
    const created = await signedIn.request({ type: 'create-meeting', title: 'Weekly review' });
    assert.equal(created.type, 'created');
    const meeting = created.type === 'created' ? server.registry.find(created.meetingId) : undefined;
    assert.equal(meeting?.ownerUserId, user.id);
    const audit = await db.all<{ user_id: string; detail: string | null }>("SELECT user_id, detail FROM audit_events WHERE type = 'meeting-created'");
    assert.deepEqual(audit, [{ user_id: user.id, detail: 'ad-hoc' }]);
    assert.ok(!JSON.stringify(await db.all('SELECT * FROM audit_events')).includes('Weekly review'), 'no title in the audit log');

    // Signed out elsewhere, the open socket may not create another meeting.
    await api(server, 'POST', '/api/auth/signout', { cookie: user.cookie, csrf: user.csrf });
    const after = await signedIn.request({ type: 'create-meeting', title: '' });
    assert.equal(after.type === 'error' && after.code, 'sign-in-required');
  } finally {
    for (const client of clients) client.socket.close();
    await server.close();
  }
});

forEachDatabase('a member calling the admin API is refused and changes nothing', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const admin = await enrolUser(server, db, clock, 'admin');
    const member = await enrolUser(server, db, clock);
    const before = await credentialState(db, [admin, member]);
    const calls = [
      ['GET', '/api/admin/users', undefined],
      ['GET', '/api/admin/audit', undefined],
      ['POST', '/api/admin/users', { email: 'new@example.org', displayName: 'New', role: 'admin' }],
      ['POST', `/api/admin/users/${admin.id}/disable`, {}],
      ['POST', `/api/admin/users/${admin.id}/reset`, {}],
    ] as const;
    for (const [method, path, body] of calls) {
      const response = await api(server, method, path, { cookie: member.cookie, csrf: member.csrf, ...(body ? { body } : {}) });
      assert.deepEqual([response.status, response.body.error], [403, 'forbidden'], path);
      const anonymous = await api(server, method, path, body ? { body } : {});
      assert.deepEqual([anonymous.status, anonymous.body.error], [401, 'sign-in-required'], path);
    }
    assert.deepEqual(await credentialState(db, [admin, member]), before);
    assert.equal(await createUsers(db).byEmail('new@example.org'), undefined);
    // The admin may, and a reset removes the member's credentials and sessions.
    const reset = await api(server, 'POST', `/api/admin/users/${member.id}/reset`, { cookie: admin.cookie, csrf: admin.csrf });
    assert.equal(reset.status, 200);
    assert.equal(await createCredentials(db).passwordHash(member.id), undefined);
    assert.equal((await api(server, 'GET', '/api/session', { cookie: member.cookie })).body.signedIn, false);
  } finally {
    await server.close();
  }
});

forEachDatabase('the first-start setup link makes one administrator, once, and a new start voids an unused link', async (db, { options }) => {
  const clock = testClock();
  let server = await startAccountsServer(options, clock);
  try {
    const first = server.setupLink;
    assert.match(first ?? '', new RegExp(`^${server.url}/enrol#[A-Za-z0-9_-]{43}$`));
    // Named, but enrolment abandoned before any credential:
    const abandoned = first!.split('#')[1]!;
    assert.equal((await api(server, 'POST', '/api/enrol/setup', { body: { token: abandoned, email: 'admin@example.org', displayName: 'The Admin' } })).status, 200);
    await server.close();
    // Not used: the next start prints a new link, and the old one no longer works.
    server = await startAccountsServer(options, clock);
    const link = server.setupLink!;
    assert.notEqual(link, first);
    const oldToken = first!.split('#')[1]!;
    assert.equal((await api(server, 'POST', '/api/enrol/inspect', { body: { token: oldToken } })).status, 404);

    const token = link.split('#')[1]!;
    const inspect = await api(server, 'POST', '/api/enrol/inspect', { body: { token } });
    assert.deepEqual(inspect.body, { email: null, displayName: null, purpose: 'setup' });
    const setup = await api(server, 'POST', '/api/enrol/setup', { body: { token, email: 'Admin@Example.org', displayName: 'The Admin' } });
    assert.deepEqual(setup.body, { email: 'admin@example.org', displayName: 'The Admin' });
    // The token is bound now: a second setup with it cannot make another administrator.
    const again = await api(server, 'POST', '/api/enrol/setup', { body: { token, email: 'mallory@example.org', displayName: 'Mallory' } });
    assert.equal(again.status, 404);
    assert.equal((await api(server, 'POST', '/api/enrol/password', { body: { token, password: 'violet-otter-climbs-Nilgiri-admin' } })).status, 200);
    const secret = (await api(server, 'POST', '/api/enrol/totp/begin', { body: { token } })).body.secret as string;
    const finish = await api(server, 'POST', '/api/enrol/totp/finish', { body: { token, code: totpAt(secret, clock.now()) } });
    assert.equal(finish.status, 200);
    const session = await api(server, 'GET', '/api/session', { cookie: `sabha_session=${finish.cookies.get('sabha_session')}` });
    assert.equal((session.body.user as { role: string }).role, 'admin');
    await server.close();

    server = await startAccountsServer(options, clock);
    assert.equal(server.setupLink, undefined, 'no link once an administrator has enrolled');
    assert.equal((await createUsers(db).list()).length, 1, 'the abandoned administrator was taken up again, not duplicated');
  } finally {
    await server.close();
  }
});

forEachDatabase('guesses sent all at once get no more tries than guesses sent one by one', async (db, { options }) => {
  const clock = testClock();
  const server = await startAccountsServer(options, clock);
  try {
    const user = await enrolUser(server, db, clock);
    const passwords = await Promise.all(
      Array.from({ length: 60 }, (_, i) => api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: `guess-${i}` }, ip: `10.7.0.${i}` })),
    );
    const hashed = passwords.filter((r) => r.status === 401).length;
    assert.ok(hashed >= 1 && hashed <= 5, `${hashed} of 60 simultaneous passwords were checked`);
    assert.ok(passwords.every((r) => r.status === 401 || (r.status === 429 && r.body.error === 'slow-down')));

    // With the right password (a stolen one), 60 simultaneous TOTP guesses on one pre-auth cookie.
    clock.advance(15 * 60_000);
    const first = await api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: user.password }, ip: '198.51.100.3' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const cookie = `sabha_preauth=${first.cookies.get('sabha_preauth')}`;
    const right = totpAt(user.totpSecret, clock.now());
    const guesses = Array.from({ length: 60 }, (_, i) => String((Number(right) + 1 + i * 7919) % 1_000_000).padStart(6, '0'));
    const codes = await Promise.all(guesses.map((code, i) => api(server, 'POST', '/api/auth/totp', { body: { code }, cookie, ip: `10.8.0.${i}` })));
    const tried = codes.filter((r) => r.status === 401).length;
    assert.ok(tried >= 1 && tried <= 5, `${tried} of 60 simultaneous codes were checked`);
    assert.ok(codes.every((r) => r.cookies.get('sabha_session') === undefined));
  } finally {
    await server.close();
  }
});
