import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import { MlsProtocolError, MlsStateError } from '../../src/e2ee/mls/errors.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { Meeting, participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const [a, b, c, d] = Array.from({ length: 4 }, (_, i) => participantId(0x70 + i)) as [string, string, string, string];

/** Rewrites the clear-text epoch of a PrivateMessage, as a removed member could try. */
function withEpoch(bytes: Uint8Array, epoch: number): Uint8Array {
  const decoded = decodeMlsMessage(bytes, 0);
  assert.ok(decoded && decoded[0].wireformat === 'mls_private_message');
  const message = decoded[0];
  return encodeMlsMessage({ ...message, privateMessage: { ...message.privateMessage, epoch: BigInt(epoch) } });
}

test('a removed member that keeps its old state can neither read new chat nor obtain the new SFrame key', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c, d], []);
  const removed = meeting.member(d);
  const oldEpoch = removed.epoch;
  const oldKey = await removed.exportSFrameBaseKey(16);

  // D is removed, but (as a misbehaving client would) does not process its removal.
  await meeting.change(a, [], [d], [d]);
  meeting.members.delete(d);
  assert.equal(removed.phase, 'active');
  const remaining = [a, b, c].map((id) => meeting.member(id));
  const newKey = await remaining[0]!.exportSFrameBaseKey(16);
  assert.notDeepEqual(newKey, oldKey);
  assert.deepEqual(await removed.exportSFrameBaseKey(16), oldKey, 'its state only yields the key of the epoch it was removed from');

  const secret = await meeting.member(b).encryptApplication(new TextEncoder().encode('not for d'));
  assert.equal(new TextDecoder().decode((await meeting.member(c).decryptApplication(secret)).data), 'not for d');
  await assert.rejects(removed.decryptApplication(secret), (err) => err instanceof MlsProtocolError && err.code === 'future-epoch');
  // Forging the clear-text epoch to its own gets past the epoch check, and then decryption itself fails.
  await assert.rejects(removed.decryptApplication(withEpoch(secret, oldEpoch)), (err) => err instanceof MlsProtocolError && err.code === 'rejected');
});

test('a removed member that processes its removal learns it and refuses every further group operation', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const removed = meeting.member(c);
  const results = await meeting.change(b, [], [c]);
  assert.deepEqual(results.get(c), { kind: 'removed' });
  assert.equal(removed.phase, 'removed');
  assert.deepEqual(removed.members(), [a, b, c], 'the last known roster stays readable');
  await assert.rejects(removed.exportSFrameBaseKey(16), MlsStateError);
  await assert.rejects(removed.encryptApplication(new Uint8Array([1])), MlsStateError);
  const later = await meeting.member(a).encryptApplication(new Uint8Array([2]));
  await assert.rejects(removed.decryptApplication(later), MlsStateError);
  assert.throws(() => removed.securityCode(), MlsStateError);
  await meeting.assertAgreement();
});

test('chat carries the MLS-authenticated sender and cannot be decrypted twice or by another group', async () => {
  const meeting = await Meeting.start(a, suite);
  await meeting.change(a, [b, c], []);
  const other = await Meeting.start(d, suite, 'another-meeting');
  await other.change(d, [], []);
  const bytes = await meeting.member(c).encryptApplication(new TextEncoder().encode('hello'));
  const read = await meeting.member(a).decryptApplication(bytes);
  assert.equal(read.sender, c);
  assert.equal(new TextDecoder().decode(read.data), 'hello');
  await assert.rejects(meeting.member(a).decryptApplication(bytes), MlsProtocolError, 'a replayed message is refused');
  await assert.rejects(other.member(d).decryptApplication(bytes), (err) => err instanceof MlsProtocolError && err.code === 'wrong-group');
});
