import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSignInThrottle, DEFAULT_THROTTLE } from '../../src/server/accounts/throttle.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('sign-in throttle', () => {
  it('lets five password failures against an account through, then delays with doubling up to 15 minutes', () => {
    const c = clock();
    const throttle = createSignInThrottle(DEFAULT_THROTTLE, c.now);
    // Different addresses: only the account counter grows.
    for (let i = 0; i < 5; i++) {
      assert.equal(throttle.check('password', `10.0.0.${i}`, 'priya@example.org').allowed, true);
      throttle.failure('password', `10.0.0.${i}`, 'priya@example.org');
    }
    // The fifth failure made the first delay.
    let verdict = throttle.check('password', '10.0.1.1', 'priya@example.org');
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.retryAfterSeconds, 1);
    const delays: number[] = [];
    for (let i = 0; i < 14; i++) {
      c.advance(verdict.retryAfterSeconds * 1000);
      assert.equal(throttle.check('password', '10.0.1.1', 'priya@example.org').allowed, true);
      throttle.failure('password', `10.0.2.${i}`, 'priya@example.org');
      verdict = throttle.check('password', '10.0.1.1', 'priya@example.org');
      delays.push(verdict.retryAfterSeconds);
    }
    assert.deepEqual(delays.slice(0, 5), [2, 4, 8, 16, 32]);
    assert.equal(Math.max(...delays), 15 * 60);
    // Another account is not affected.
    assert.equal(throttle.check('password', '10.0.1.1', 'ravi@example.org').allowed, true);
  });

  it('throttles one address that tries many accounts after twenty failures', () => {
    const c = clock();
    const throttle = createSignInThrottle(DEFAULT_THROTTLE, c.now);
    for (let i = 0; i < 20; i++) throttle.failure('password', '203.0.113.9', `user${i}@example.org`);
    assert.equal(throttle.check('password', '203.0.113.9', 'fresh@example.org').allowed, false);
    assert.equal(throttle.check('password', '198.51.100.1', 'fresh@example.org').allowed, true);
  });

  it('never delays a passkey sign-in because of password or TOTP failures against the account', () => {
    const c = clock();
    const throttle = createSignInThrottle(DEFAULT_THROTTLE, c.now);
    for (let i = 0; i < 1000; i++) {
      throttle.failure('password', `10.1.${i >> 8}.${i & 255}`, 'priya@example.org');
      throttle.failure('totp', `10.1.${i >> 8}.${i & 255}`, 'user-id-of-priya');
    }
    assert.equal(throttle.check('password', '192.0.2.7', 'priya@example.org').allowed, false);
    assert.equal(throttle.check('passkey', '192.0.2.7', 'priya@example.org').allowed, true);
    assert.equal(throttle.check('passkey', '192.0.2.7').allowed, true);
  });

  it("forgets an account's failures after its owner signs in", () => {
    const c = clock();
    const throttle = createSignInThrottle(DEFAULT_THROTTLE, c.now);
    for (let i = 0; i < 6; i++) throttle.failure('password', '10.0.0.1', 'priya@example.org');
    assert.equal(throttle.check('password', '10.0.0.2', 'priya@example.org').allowed, false);
    throttle.success('password', '10.0.0.2', 'priya@example.org');
    assert.equal(throttle.check('password', '10.0.0.2', 'priya@example.org').allowed, true);
  });
});
