import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAuditLog } from '../../src/server/accounts/audit.ts';
import { CookieJar } from '../../src/server/accounts/cookies.ts';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { createSessions, type SessionSettings } from '../../src/server/accounts/sessions.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import { openTestDatabase } from '../helpers/databases.ts';

const HOUR = 60 * 60_000;
const SETTINGS: SessionSettings = { idleMs: 2 * HOUR, absoluteMs: 24 * HOUR };

function request(cookie?: string): IncomingMessage {
  return { headers: cookie ? { cookie } : {}, socket: { remoteAddress: '192.0.2.1' } } as unknown as IncomingMessage;
}
function response(): ServerResponse & { cookies(): string[] } {
  const headers = new Map<string, unknown>();
  return {
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
    cookies: () => (headers.get('set-cookie') as string[] | undefined) ?? [],
  } as unknown as ServerResponse & { cookies(): string[] };
}
/** The `name=value` of the session cookie a response set. */
const sessionCookieOf = (res: { cookies(): string[] }, name = 'sabha_session') => res.cookies().find((c) => c.startsWith(`${name}=`))!.split(';')[0]!;

describe('sessions', () => {
  let db: Database;
  let t = 1_700_000_000_000;
  const now = () => t;
  let sessions: ReturnType<typeof createSessions>;
  let userId: string;

  before(async () => {
    db = await openTestDatabase();
    const audit = createAuditLog(db, now);
    sessions = createSessions({ db, audit, cookies: new CookieJar(false), clientAddress: () => '192.0.2.1', settings: SETTINGS, now });
    userId = (await createUsers(db, now).create({ email: 'Priya@Example.org', displayName: 'Priya', role: 'member' })).id;
  });
  after(() => db.close());

  async function signIn(cookie?: string) {
    const res = response();
    await sessions.signIn(request(cookie), res, userId, 'password-totp');
    return sessionCookieOf(res);
  }

  it('sets an HttpOnly, Secure, SameSite=Strict cookie and resolves it to the user with a CSRF token', async () => {
    const res = response();
    await sessions.signIn(request(), res, userId, 'passkey');
    const set = res.cookies()[0]!;
    assert.match(set, /^sabha_session=[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=86400$/);
    const signedIn = await sessions.current(request(sessionCookieOf(res)));
    assert.equal(signedIn?.userId, userId);
    assert.equal(signedIn?.email, 'priya@example.org');
    assert.match(signedIn!.csrf, /^[A-Za-z0-9_-]{43}$/);
  });

  it('uses the __Host- prefix over TLS', async () => {
    const tlsSessions = createSessions({ db, audit: createAuditLog(db, now), cookies: new CookieJar(true), clientAddress: () => '192.0.2.1', settings: SETTINGS, now });
    const res = response();
    await tlsSessions.signIn(request(), res, userId, 'passkey');
    assert.match(res.cookies()[0]!, /^__Host-sabha_session=/);
    assert.equal(await tlsSessions.current(request(sessionCookieOf(res, '__Host-sabha_session'))).then((s) => s?.userId), userId);
    // The plain name is not accepted where the prefixed one is expected.
    assert.equal(await tlsSessions.current(request(sessionCookieOf(res, '__Host-sabha_session').replace('__Host-', ''))), null);
  });

  it('rotates the id at sign-in: the session the browser had before stops working', async () => {
    const first = await signIn();
    const second = await signIn(first);
    assert.notEqual(first, second);
    assert.equal(await sessions.current(request(first)), null);
    assert.equal((await sessions.current(request(second)))?.userId, userId);
  });

  it('refuses a session after sign-out, even when the old cookie is sent again', async () => {
    const cookie = await signIn();
    const res = response();
    await sessions.signOut(request(cookie), res);
    assert.match(res.cookies()[0]!, /^sabha_session=; .*Max-Age=0$/);
    assert.equal(await sessions.current(request(cookie)), null);
  });

  it('expires a session left idle and one past its absolute lifetime even when used', async () => {
    const idle = await signIn();
    t += SETTINGS.idleMs + 1;
    assert.equal(await sessions.current(request(idle)), null);

    const busy = await signIn();
    for (let used = 0; used < SETTINGS.absoluteMs; used += HOUR) {
      t += HOUR;
      if (used + HOUR < SETTINGS.absoluteMs) assert.notEqual(await sessions.current(request(busy)), null);
    }
    t += 1;
    assert.equal(await sessions.current(request(busy)), null);
  });

  it('revokes every session of the user at once, and refuses sessions of a disabled user', async () => {
    const a = await signIn();
    const b = await signIn();
    await sessions.revokeAll(userId);
    assert.equal(await sessions.current(request(a)), null);
    assert.equal(await sessions.current(request(b)), null);

    const c = await signIn();
    await createUsers(db, now).setDisabled(userId, true);
    assert.equal(await sessions.current(request(c)), null);
    await createUsers(db, now).setDisabled(userId, false);
    assert.equal((await sessions.current(request(c)))?.userId, userId);
  });

  it('ignores cookies that are not one of its ids', async () => {
    for (const cookie of ['sabha_session=', 'sabha_session=abc', "sabha_session=' OR 1=1 --", 'other=x']) assert.equal(await sessions.current(request(cookie)), null);
  });

  it('stores only hashes of session ids', async () => {
    const cookie = await signIn();
    const id = cookie.split('=')[1]!;
    const rows = await db.all<{ id_hash: string }>('SELECT id_hash FROM sessions');
    assert.ok(rows.every((r) => r.id_hash !== id && /^[0-9a-f]{64}$/.test(r.id_hash)));
  });
});

describe('enrolment tokens', () => {
  it('are spent once, store only a hash, and a newer token for the user voids the older one', async () => {
    const db = await openTestDatabase();
    try {
      const credentials = createCredentials(db);
      const enrolment = createEnrolment(db, credentials);
      const user = await createUsers(db).create({ email: 'ravi@example.org', displayName: 'Ravi', role: 'member' });
      const old = await enrolment.issue(user.id, 'enrol');
      const token = await enrolment.issue(user.id, 'reset');
      assert.equal(await enrolment.inspect(old), undefined);
      assert.equal((await enrolment.inspect(token))?.userId, user.id);
      const stored = await db.all<{ token_hash: string }>('SELECT token_hash FROM enrolment_tokens');
      assert.ok(stored.every((r) => r.token_hash !== token));
      assert.equal(await enrolment.setPendingPassword(token, '$argon2id$pending'), true);
      const [a, b] = await Promise.all([enrolment.spend(token), enrolment.spend(token)]);
      assert.deepEqual([a, b].filter(Boolean), [user.id]);
      assert.equal(await credentials.passwordHash(user.id), '$argon2id$pending');
      assert.equal(await enrolment.spend(token), undefined);
      assert.equal(await enrolment.inspect(token), undefined);
    } finally {
      await db.close();
    }
  });

  it('expire after their lifetime', async () => {
    const db = await openTestDatabase();
    let t = 1_700_000_000_000;
    try {
      const enrolment = createEnrolment(db, createCredentials(db), () => t);
      const user = await createUsers(db).create({ email: 'asha@example.org', displayName: 'Asha', role: 'member' });
      const token = await enrolment.issue(user.id, 'enrol', 60_000);
      t += 60_001;
      assert.equal(await enrolment.inspect(token), undefined);
      assert.equal(await enrolment.spend(token), undefined);
    } finally {
      await db.close();
    }
  });
});
