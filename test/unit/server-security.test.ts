import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureThrottle } from '../../src/server/security/failure-throttle.ts';
import { RateLimiter } from '../../src/server/security/rate-limiter.ts';
import { newMeetingId, newPasscode, newSecret, secretsEqual } from '../../src/server/security/random.ts';
import { MEETING_ID_PATTERN, PASSCODE_PATTERN } from '../../src/protocol/index.ts';
import { Logger, redact } from '../../src/log/logger.ts';

describe('identifiers and secrets', () => {
  it('make meeting ids of 80 random bits that never repeat in 10000 draws', () => {
    const ids = new Set(Array.from({ length: 10_000 }, newMeetingId));
    assert.equal(ids.size, 10_000);
    for (const id of [...ids].slice(0, 100)) assert.match(id, MEETING_ID_PATTERN);
    assert.ok(16 * Math.log2(32) >= 64);
  });

  it('make passcodes and secrets of the documented shape', () => {
    assert.match(newPasscode(), PASSCODE_PATTERN);
    assert.equal(Buffer.from(newSecret(), 'base64url').length, 32);
  });

  it('compare secrets of any length without throwing', () => {
    assert.equal(secretsEqual('abc', 'abc'), true);
    assert.equal(secretsEqual('abc', 'abcd'), false);
    assert.equal(secretsEqual('', 'abc'), false);
  });
});

describe('the failure throttle', () => {
  it('allows the free failures, then doubles the wait up to the cap', () => {
    let now = 0;
    const t = new FailureThrottle({ freeFailures: 2, baseDelayMs: 100, maxDelayMs: 400, forgetAfterMs: 10_000, maxKeys: 10, now: () => now });
    t.recordFailure('a');
    assert.equal(t.waitFor('a'), 0);
    t.recordFailure('a');
    assert.equal(t.waitFor('a'), 100);
    t.recordFailure('a');
    assert.equal(t.waitFor('a'), 200);
    t.recordFailure('a');
    t.recordFailure('a');
    assert.equal(t.waitFor('a'), 400);
    now += 400;
    assert.equal(t.waitFor('a'), 0);
    assert.equal(t.waitFor('b'), 0, 'keys are independent');
  });

  it('forgets old failures and bounds its memory under random probing', () => {
    let now = 0;
    const t = new FailureThrottle({ freeFailures: 0, baseDelayMs: 100, maxDelayMs: 100, forgetAfterMs: 1000, maxKeys: 50, now: () => now });
    for (let i = 0; i < 1000; i++) t.recordFailure(`k${i}`);
    assert.equal(t.size, 50);
    t.recordFailure('x');
    now += 1001;
    assert.equal(t.waitFor('x'), 0);
  });

  it('clears a key on success', () => {
    const t = new FailureThrottle({ freeFailures: 0, baseDelayMs: 100, maxDelayMs: 100, forgetAfterMs: 1000, maxKeys: 5 });
    t.recordFailure('a');
    assert.ok(t.waitFor('a') > 0);
    t.recordSuccess('a');
    assert.equal(t.waitFor('a'), 0);
  });
});

describe('the rate limiter', () => {
  it('lets a burst through, refuses the rest, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter<'chat'>(() => ({ rate: 2, burst: 3 }), () => now);
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.allow('chat')), [true, true, true, false]);
    now += 500;
    assert.equal(limiter.allow('chat'), true);
    assert.equal(limiter.allow('chat'), false);
  });
});

describe('the logger', () => {
  it('redacts passcodes, secrets, names, chat text, SDP and MLS data at any depth', () => {
    const lines: string[] = [];
    const log = new Logger('t', 'debug', (l) => lines.push(l));
    log.info('join', { meeting: 'abcdefghijklmnop', passcode: 'p4ssc0de12', request: { name: 'Asha', hostSecret: 's3cret', body: { text: 'hello' } }, sdp: 'v=0', keyPackage: 'AAAA', participant: '0123456789abcdef' });
    const out = lines.join('\n');
    for (const secret of ['p4ssc0de12', 'Asha', 's3cret', 'hello', 'v=0', 'AAAA']) assert.ok(!out.includes(secret), secret);
    assert.ok(out.includes('abcdefghijklmnop') && out.includes('0123456789abcdef'), 'ids stay for debugging');
  });

  it('keeps only the first line of an error message', () => {
    const r = redact({ error: new Error('bad thing\nwith the input: secret') }) as { error: { message: string } };
    assert.equal(r.error.message, 'bad thing');
  });
});
