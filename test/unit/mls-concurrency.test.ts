import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { MlsProtocolError, MlsStateError } from '../../src/e2ee/mls/errors.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { Meeting, participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const [a, b, c, d, e, f] = Array.from({ length: 6 }, (_, i) => participantId(0x40 + i)) as [string, string, string, string, string, string];

test('two members commit at the same epoch: the second is rejected, retries at the new epoch, and all agree', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c, d], []);
  const joinerE = await MlsMember.create(e, { suite });
  const joinerF = await MlsMember.create(f, { suite });

  const fromA = await meeting.member(a).commit({ add: [{ identity: e, keyPackage: joinerE.keyPackageBytes() }] });
  const fromB = await meeting.member(b).commit({ remove: [d] });
  assert.equal(fromA.epoch, fromB.epoch);
  assert.equal(meeting.ds.submit(fromA), true);
  assert.equal(meeting.ds.submit(fromB), false, 'the delivery service rejects the second commit of an epoch');

  // Everyone, B included, processes A's commit; B learns it lost and its pending commit is gone.
  const results = await meeting.relay(fromA.commit);
  const seenByB = results.get(b);
  assert.ok(seenByB?.kind === 'applied' && seenByB.lostRace && !seenByB.own);
  assert.ok(results.get(a)?.kind === 'applied' && (results.get(a) as { own: boolean }).own);
  assert.equal(meeting.member(b).phase, 'active');
  await joinerE.joinFromWelcome(fromA.welcome!);
  meeting.members.set(e, joinerE);

  // B's stale commit can never be processed by anyone.
  await assert.rejects(meeting.member(c).processCommit(fromB.commit), (err) => err instanceof MlsProtocolError && err.code === 'stale-epoch');

  // B retries against the new epoch, together with a new admission.
  const retry = await meeting.member(b).commit({ remove: [d], add: [{ identity: f, keyPackage: joinerF.keyPackageBytes() }] });
  assert.equal(retry.epoch, fromA.epoch + 1);
  assert.equal(meeting.ds.submit(retry), true);
  const retryResults = await meeting.relay(retry.commit);
  assert.deepEqual(retryResults.get(d), { kind: 'removed' });
  await joinerF.joinFromWelcome(retry.welcome!);
  meeting.members.set(f, joinerF);
  await meeting.assertAgreement();
});

test('a committer told of rejection before the relay discards its commit and keeps its state', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const keyBefore = await meeting.member(c).exportSFrameBaseKey(16);
  const stale = await meeting.member(c).commit({ remove: [b] });
  assert.equal(meeting.member(c).phase, 'pending');
  await assert.rejects(meeting.member(c).commit({}), MlsStateError, 'one pending commit at a time');
  await meeting.member(c).discardPendingCommit();
  assert.equal(meeting.member(c).phase, 'active');
  assert.equal(meeting.member(c).epoch, stale.epoch);
  assert.deepEqual(await meeting.member(c).exportSFrameBaseKey(16), keyBefore);
  await meeting.change(a, [], [b]);
  await meeting.assertAgreement();
});

test('a commit from a later epoch is refused as future-epoch without changing the state', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const first = await meeting.member(a).commit({});
  await meeting.member(a).applyPendingCommit();
  const second = await meeting.member(a).commit({});
  await assert.rejects(meeting.member(b).processCommit(second.commit), (err) => err instanceof MlsProtocolError && err.code === 'future-epoch');
  assert.equal(meeting.member(b).epoch, first.epoch);
  await meeting.member(b).processCommit(first.commit);
  const result = await meeting.member(b).processCommit(second.commit);
  assert.equal(result.kind, 'applied');
});

test('chat sent while a commit is pending is still readable by members after they move to the new epoch', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const output = await meeting.member(a).commit({});
  const early = await meeting.member(b).encryptApplication(new TextEncoder().encode('before the commit'));
  const fromA = await meeting.member(a).encryptApplication(new TextEncoder().encode('from the committer'));
  assert.equal(meeting.ds.submit(output), true);
  await meeting.relay(output.commit);
  const readByC = await meeting.member(c).decryptApplication(early);
  assert.equal(new TextDecoder().decode(readByC.data), 'before the commit');
  assert.equal(readByC.sender, b);
  assert.equal(readByC.epoch, output.epoch);
  const readByA = await meeting.member(a).decryptApplication(early);
  assert.equal(readByA.sender, b);
  const readByB = await meeting.member(b).decryptApplication(fromA);
  assert.equal(readByB.sender, a);
  await meeting.assertAgreement();
});
