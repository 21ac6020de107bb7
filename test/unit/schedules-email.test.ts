/**
 * Invitee addresses (src/protocol/schedules.ts): a sane e-mail shape, lower-cased, and the typed-text rule, since
 * hosts read these addresses in the waiting room.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailAddress, verifiedIdentity } from '../../src/protocol/index.ts';

describe('invitee e-mail addresses', () => {
  it('accepts ordinary addresses, trimmed and lower-cased', () => {
    assert.equal(emailAddress.parse('  Priya.Sharma+class7@School.Example.org '), 'priya.sharma+class7@school.example.org');
    assert.equal(emailAddress.parse("o'brien@example.ie"), "o'brien@example.ie");
  });

  it('refuses what is not an address, or could break a mail header or a line of text', () => {
    for (const bad of ['priya', 'priya@localhost', '@example.org', 'priya@@example.org', 'pri ya@example.org', 'priya@example..org', 'a@b.c\r\nBcc: x@y.z', '"quoted"@example.org', 'priya@[127.0.0.1]', 'priya@exam_ple.org', '\u202epriya@example.org', `${'a'.repeat(65)}@example.org`, `a@${'b'.repeat(250)}.org`]) {
      assert.equal(emailAddress.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('carries a verified identity of a known kind only', () => {
    assert.equal(verifiedIdentity.safeParse({ kind: 'account', email: 'priya@example.org' }).success, true);
    assert.equal(verifiedIdentity.safeParse({ kind: 'passcode', email: 'priya@example.org' }).success, false);
    assert.equal(verifiedIdentity.safeParse({ kind: 'invitation', email: 'priya\u2028@example.org' }).success, false);
    assert.equal(verifiedIdentity.safeParse({ kind: 'invitation', email: 'priya@example.org', extra: 1 }).success, false);
  });
});
