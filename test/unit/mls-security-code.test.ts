import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { securityCodeFromAuthenticator } from '../../src/e2ee/mls/securityCode.ts';
import { Meeting, participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const [a, b, c, d] = Array.from({ length: 4 }, (_, i) => participantId(0x90 + i)) as [string, string, string, string];

test('all members show the same security code, and it changes whenever the membership changes', async () => {
  const meeting = await Meeting.start(a, suite);
  const seen = new Set<string>([meeting.member(a).securityCode()]);
  await meeting.change(a, [b, c], []);
  await meeting.assertAgreement(); // includes equal codes across members
  seen.add(meeting.member(b).securityCode());
  await meeting.change(b, [d], []);
  await meeting.assertAgreement();
  seen.add(meeting.member(d).securityCode());
  await meeting.change(a, [], [c]);
  await meeting.assertAgreement();
  seen.add(meeting.member(a).securityCode());
  assert.equal(seen.size, 4, 'each epoch has its own code');
  assert.match(meeting.member(a).securityCode(), /^\d{5} \d{5} \d{5}$/);
});

test('two groups with the same members in the same order show different security codes', async () => {
  const first = await Meeting.start(a, suite);
  const second = await Meeting.start(a, suite);
  await first.change(a, [b], []);
  await second.change(a, [b], []);
  assert.equal(first.member(b).epoch, second.member(b).epoch);
  assert.notEqual(first.member(b).securityCode(), second.member(b).securityCode());
});

test('the security code depends on every byte of the epoch authenticator', () => {
  const authenticator = new Uint8Array(32).map((_, i) => i * 7);
  const code = securityCodeFromAuthenticator(authenticator);
  for (let i = 0; i < authenticator.length; i++) {
    const flipped = authenticator.slice();
    flipped[i]! ^= 1;
    assert.notEqual(securityCodeFromAuthenticator(flipped), code, `byte ${i}`);
  }
});
