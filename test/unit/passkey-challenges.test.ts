/**
 * WebAuthn challenges (src/server/accounts/passkeys/challenge-store.ts): single-use, five minutes, for one purpose
 * and (registration) one account, and a bounded number per client address, so that a client asking for sign-in
 * options in a loop displaces only its own challenges and the table stays small.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHALLENGE_TTL_MS, createChallengeStore, MAX_PER_ADDRESS } from '../../src/server/accounts/passkeys/challenge-store.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import { openTestDatabase } from '../helpers/databases.ts';

function steppingClock() {
  let t = 1_700_000_000_000;
  return { now: () => (t += 1), advance: (ms: number) => void (t += ms) };
}

describe('passkey challenges', () => {
  it('accepts a challenge once, for its purpose only', async () => {
    const db = await openTestDatabase();
    const store = createChallengeStore(db, steppingClock().now);
    const challenge = await store.issue('signin', '192.0.2.1', null);
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.equal(await store.consume(challenge, 'register', null), false, 'not for another ceremony');
    assert.equal(await store.consume(challenge, 'signin', null), true);
    assert.equal(await store.consume(challenge, 'signin', null), false, 'used once');
  });

  it('binds a registration challenge to the account it was issued for', async () => {
    const db = await openTestDatabase();
    const users = createUsers(db);
    const [a, b] = [await users.create({ email: 'a@example.org', displayName: 'A', role: 'member' }), await users.create({ email: 'b@example.org', displayName: 'B', role: 'member' })];
    const store = createChallengeStore(db, steppingClock().now);
    const challenge = await store.issue('register', '192.0.2.1', a.id);
    assert.equal(await store.consume(challenge, 'register', b.id), false);
    assert.equal(await store.consume(challenge, 'register', null), false);
    assert.equal(await store.consume(challenge, 'register', a.id), true);
  });

  it('refuses a challenge after five minutes', async () => {
    const db = await openTestDatabase();
    const clock = steppingClock();
    const store = createChallengeStore(db, clock.now);
    const late = await store.issue('signin', '192.0.2.1', null);
    const onTime = await store.issue('signin', '192.0.2.1', null);
    clock.advance(CHALLENGE_TTL_MS - 10);
    assert.equal(await store.consume(onTime, 'signin', null), true);
    clock.advance(20);
    assert.equal(await store.consume(late, 'signin', null), false);
  });

  it('keeps only the newest challenges of one address, and leaves other addresses alone', async () => {
    const db = await openTestDatabase();
    const clock = steppingClock();
    const store = createChallengeStore(db, clock.now);
    const neighbour = await store.issue('signin', '198.51.100.7', null);
    const flood: string[] = [];
    for (let i = 0; i < MAX_PER_ADDRESS + 30; i++) flood.push(await store.issue('signin', '192.0.2.66', null));
    const rows = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM passkey_challenges');
    assert.equal(Number(rows!.n), MAX_PER_ADDRESS + 1, 'the table holds the flooder’s newest and the neighbour’s');
    assert.equal(await store.consume(flood[0]!, 'signin', null), false, 'the oldest was dropped');
    assert.equal(await store.consume(flood.at(-1)!, 'signin', null), true, 'the newest lives');
    assert.equal(await store.consume(neighbour, 'signin', null), true, 'another address keeps its challenge');
  });

  it('sweeps expired challenges when new ones are issued', async () => {
    const db = await openTestDatabase();
    const clock = steppingClock();
    const store = createChallengeStore(db, clock.now);
    for (let i = 0; i < 5; i++) await store.issue('signin', `192.0.2.${i}`, null);
    clock.advance(CHALLENGE_TTL_MS + 1);
    await store.issue('signin', '203.0.113.1', null);
    const rows = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM passkey_challenges');
    assert.equal(Number(rows!.n), 1);
  });
});
