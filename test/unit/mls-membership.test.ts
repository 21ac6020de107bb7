import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { MlsProtocolError, MlsStateError } from '../../src/e2ee/mls/errors.ts';
import { chooseCommitter } from '../../src/e2ee/mls/committer.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { Meeting, participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const ids = Array.from({ length: 12 }, (_, i) => participantId(i + 1));
const [a, b, c, d, e, f, g, h] = ids as [string, string, string, string, string, string, string, string];

test('participants added one by one all end at the same epoch with the same roster, SFrame key and code', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b], []);
  await meeting.change(a, [c], []);
  await meeting.assertAgreement();
  assert.deepEqual(meeting.member(c).members(), [a, b, c]);
  assert.equal(meeting.member(b).leafIndexOf(c), 2);
  assert.equal(meeting.member(b).leafIndexOf(d), undefined);
});

test('participants admitted together join through one commit and one Welcome', async () => {
  const meeting = await Meeting.start(a, suite);
  const results = await meeting.change(a, [b, c, d, e], []);
  assert.equal(meeting.ds.log.length, 1);
  const own = results.get(a);
  assert.ok(own?.kind === 'applied' && own.own);
  assert.deepEqual(own.added, [b, c, d, e]);
  await meeting.assertAgreement();
});

test('a removal blanks the leaf for everyone, reports who was removed, and changes the SFrame key', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c, d], []);
  const keyBefore = await meeting.member(b).exportSFrameBaseKey(16);
  const results = await meeting.change(a, [], [c]);
  assert.deepEqual(results.get(c), { kind: 'removed' });
  const seenByB = results.get(b);
  assert.ok(seenByB?.kind === 'applied');
  assert.deepEqual(seenByB.removed, [c]);
  assert.equal(meeting.members.has(c), false);
  assert.deepEqual(meeting.member(d).members(), [a, b, undefined, d]);
  await meeting.assertAgreement();
  assert.notDeepEqual(await meeting.member(b).exportSFrameBaseKey(16), keyBefore);
});

test('one commit can remove and admit several participants at once, reusing blank leaves', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c, d, e], []);
  const results = await meeting.change(a, [f, g], [b, d]);
  const seenByE = results.get(e);
  assert.ok(seenByE?.kind === 'applied');
  assert.deepEqual(seenByE.added, [f, g]);
  assert.deepEqual(seenByE.removed, [b, d]);
  // Their leaves are refilled by the same commit; they must still learn that they were removed.
  assert.deepEqual(results.get(b), { kind: 'removed' });
  assert.deepEqual(results.get(d), { kind: 'removed' });
  assert.equal(meeting.ds.log.length, 2);
  assert.deepEqual(meeting.member(a).members(), [a, f, c, g, e]);
  await meeting.assertAgreement();
});

test('the committer refuses a KeyPackage whose credential names someone other than the announced participant', async () => {
  const meeting = await Meeting.start(a, suite);
  const impostor = await MlsMember.create(h, { suite });
  await assert.rejects(
    meeting.member(a).commit({ add: [{ identity: b, keyPackage: impostor.keyPackageBytes() }] }),
    (err) => err instanceof MlsProtocolError && err.code === 'rejected',
  );
  assert.equal(meeting.member(a).phase, 'active', 'a refused commit leaves no pending commit');
});

test('bad commit requests throw TypeError: self-removal, unknown member, double admission, malformed id', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b], []);
  const joiner = await MlsMember.create(c, { suite });
  const member = meeting.member(a);
  await assert.rejects(member.commit({ remove: [a] }), TypeError);
  await assert.rejects(member.commit({ remove: [d] }), TypeError);
  await assert.rejects(member.commit({ add: [{ identity: b, keyPackage: joiner.keyPackageBytes() }] }), TypeError);
  await assert.rejects(
    member.commit({ add: [{ identity: c, keyPackage: joiner.keyPackageBytes() }, { identity: c, keyPackage: joiner.keyPackageBytes() }] }),
    TypeError,
  );
  await assert.rejects(MlsMember.create('not-an-id'), TypeError);
});

test('a Welcome is refused by a participant whose KeyPackage it does not carry', async () => {
  const meeting = await Meeting.start(a, suite);
  const joiner = await MlsMember.create(b, { suite });
  const bystander = await MlsMember.create(c, { suite });
  const output = await meeting.member(a).commit({ add: [{ identity: b, keyPackage: joiner.keyPackageBytes() }] });
  assert.ok(output.welcome);
  await assert.rejects(bystander.joinFromWelcome(output.welcome), (err) => err instanceof MlsProtocolError && err.code === 'not-for-us');
  assert.equal(bystander.phase, 'fresh');
});

test('when the committer leaves, the next member by leaf index commits its removal and the group goes on', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c, d], []);
  const leaving = meeting.member(a);
  const next = chooseCommitter(leaving.members(), new Set([a]));
  assert.equal(next, b);
  leaving.close();
  meeting.members.delete(a);
  await meeting.change(b, [e], [a]);
  assert.deepEqual(meeting.member(c).members(), [e, b, c, d]);
  await meeting.assertAgreement();
  // The new committer can keep committing.
  await meeting.change(chooseCommitter(meeting.member(c).members(), new Set())!, [], [d]);
  await meeting.assertAgreement();
  assert.throws(() => leaving.epoch, MlsStateError);
  leaving.close();
});

test('an empty commit refreshes the keys without changing the roster', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const before = await meeting.member(c).exportSFrameBaseKey(16);
  await meeting.change(b, [], []);
  await meeting.assertAgreement();
  assert.deepEqual(meeting.member(a).members(), [a, b, c]);
  assert.notDeepEqual(await meeting.member(c).exportSFrameBaseKey(16), before);
});
