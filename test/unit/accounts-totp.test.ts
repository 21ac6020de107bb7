import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32Decode, base32Encode, hotp, matchStep, newTotpSecret, otpauthUri, stepAt, totpAt } from '../../src/server/accounts/totp.ts';

// RFC 6238 Appendix B: the seeds are ASCII digits; 8-digit codes.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it('produces every test vector of RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512', () => {
    for (const [seconds, sha1, sha256, sha512] of VECTORS) {
      const step = stepAt(seconds * 1000);
      assert.equal(hotp(SEEDS.sha1, step, 8, 'sha1'), sha1, `SHA-1 at ${seconds}`);
      assert.equal(hotp(SEEDS.sha256, step, 8, 'sha256'), sha256, `SHA-256 at ${seconds}`);
      assert.equal(hotp(SEEDS.sha512, step, 8, 'sha512'), sha512, `SHA-512 at ${seconds}`);
    }
  });

  it('produces the RFC 4226 Appendix D HOTP values for counters 0 to 9', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => assert.equal(hotp(SEEDS.sha1, counter), code));
  });

  it('round-trips secrets through base32 and makes 160-bit secrets', () => {
    const secret = newTotpSecret();
    assert.equal(base32Decode(secret).length, 20);
    assert.equal(base32Encode(base32Decode(secret)), secret);
    assert.equal(base32Encode(Buffer.from('12345678901234567890')), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });

  it('accepts the current code and the codes one step either side, and refuses two steps away', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    assert.equal(matchStep(secret, totpAt(secret, now), now, -1), step);
    assert.equal(matchStep(secret, totpAt(secret, now - 30_000), now, -1), step - 1);
    assert.equal(matchStep(secret, totpAt(secret, now + 30_000), now, -1), step + 1);
    const far = totpAt(secret, now - 60_000);
    // A code two steps old may collide with a valid one by chance (1 in 10^6 per step); only check a distinct one.
    if (![-1, 0, 1].some((d) => totpAt(secret, now + d * 30_000) === far)) assert.equal(matchStep(secret, far, now, -1), null);
  });

  it('refuses a code whose step was already used, so a code is accepted once', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const code = totpAt(secret, now);
    const step = matchStep(secret, code, now, -1);
    assert.notEqual(step, null);
    assert.equal(matchStep(secret, code, now, step!), null);
    // Nor an older step's code after a newer one was used.
    assert.equal(matchStep(secret, totpAt(secret, now - 30_000), now, step!), null);
  });

  it('refuses codes that are not six digits', () => {
    const secret = newTotpSecret();
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) assert.equal(matchStep(secret, code, Date.now(), -1), null);
  });

  it('builds an otpauth URI an authenticator app understands', () => {
    const uri = new URL(otpauthUri('GEZDGNBVGY3TQOJQ', 'Sabha (meet.example.org)', 'priya@example.org'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), 'GEZDGNBVGY3TQOJQ');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
  });
});
