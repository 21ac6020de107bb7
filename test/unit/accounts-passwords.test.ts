import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/server/http/json-api.ts';
import { ARGON2_PARAMETERS, checkPasswordStrength, hashPassword, needsRehash, requireStrongPassword, verifyPassword } from '../../src/server/accounts/passwords.ts';

describe('passwords', () => {
  it('hashes with Argon2id into a PHC string with a random salt, and verifies only the right password', async () => {
    const a = await hashPassword('violet-otter-climbs-Nilgiri-7');
    const b = await hashPassword('violet-otter-climbs-Nilgiri-7');
    assert.match(a, new RegExp(`^\\$argon2id\\$v=19\\$m=${ARGON2_PARAMETERS.memory},t=${ARGON2_PARAMETERS.passes},p=${ARGON2_PARAMETERS.parallelism}\\$`));
    assert.notEqual(a, b, 'two hashes of one password differ by their salt');
    assert.equal(await verifyPassword('violet-otter-climbs-Nilgiri-7', a), true);
    assert.equal(await verifyPassword('violet-otter-climbs-Nilgiri-8', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('answers false for a missing or malformed stored hash instead of throwing', async () => {
    assert.equal(await verifyPassword('anything at all', undefined), false);
    assert.equal(await verifyPassword('anything at all', '$argon2id$v=19$m=1,t=1,p=1$garbage'), false);
  });

  it('verifies hashes made with other parameters and says they need re-hashing when weaker', async () => {
    const weak = await hashPassword('violet-otter-climbs-Nilgiri-7', { memory: 8192, passes: 1, parallelism: 1 });
    assert.equal(await verifyPassword('violet-otter-climbs-Nilgiri-7', weak), true);
    assert.equal(needsRehash(weak), true);
    assert.equal(needsRehash(await hashPassword('violet-otter-climbs-Nilgiri-7')), false);
  });

  it('refuses short, common and breached-looking passwords with hints, and accepts a long unusual one', () => {
    for (const weak of ['short', 'Password123!', 'qwertyuiop12', 'iloveyou2020', '1234567890', 'password1234']) {
      const verdict = checkPasswordStrength(weak);
      assert.equal(verdict.ok, false, weak);
      assert.ok(verdict.hints.length > 0, `hints for ${weak}`);
    }
    assert.equal(checkPasswordStrength('violet-otter-climbs-Nilgiri-7').ok, true);
    assert.equal(checkPasswordStrength('correct horse battery staple').ok, true);
  });

  it("refuses a password built from the user's own e-mail or name", () => {
    assert.equal(checkPasswordStrength('priyasharma2024', ['priya.sharma@example.org', 'Priya Sharma']).ok, false);
  });

  it('refuses too long passwords and throws weak-password with hints at the API boundary', () => {
    assert.deepEqual(checkPasswordStrength('x'.repeat(300)).hints, ['too-long']);
    assert.throws(
      () => requireStrongPassword('Password123!'),
      (error: unknown) => error instanceof ApiError && error.status === 400 && error.code === 'weak-password' && Array.isArray(error.extra.hints),
    );
  });
});
