/**
 * The E2EE session (what a browser runs) refuses a KeyPackage relayed with a substituted credential:
 * a server that puts its own identity key into a waiting person's KeyPackage (or any bytes of its own into
 * the credential) gets neither a commit from the chosen committer nor an admission from the host.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ephemeralDeviceIdentity } from '../../src/e2ee/identity/device-identity.ts';
import { MlsMember } from '../../src/e2ee/mls/index.ts';
import { toBase64 } from '../../src/e2ee/session/base64.ts';
import { verifiedKeyPackageIdentity } from '../../src/e2ee/session/key-package.ts';
import { FakeMeeting } from './e2ee-fake-meeting.ts';

function swapped(keyPackage: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out = keyPackage.slice();
  for (let i = 0; i + from.length <= out.length; i++) {
    if (from.every((b, j) => out[i + j] === b)) {
      out.set(to, i);
      return out;
    }
  }
  throw new Error('key not found in the KeyPackage');
}

test('a KeyPackage relayed with another identity key in its credential is neither committed nor admitted', async () => {
  const meeting = await FakeMeeting.create();
  const host = meeting.arrive('host');
  await meeting.settle();
  const waitingId = '00000000000000e1';
  const person = await MlsMember.create(waitingId, { suite: meeting.suite, deviceIdentity: await ephemeralDeviceIdentity() });
  const server = await ephemeralDeviceIdentity();
  const substituted = toBase64(swapped(person.keyPackageBytes(), person.ownIdentityKey(), server.publicKey));
  const epoch = meeting.mls.epoch;

  await host.session.handlePending({ type: 'mls-pending', epoch, adds: [{ participantId: waitingId, keyPackage: substituted }], removes: [] });
  await meeting.settle();
  assert.equal(meeting.mls.epoch, epoch, 'no commit was made');
  assert.deepEqual(host.problems, [{ code: 'key-package-mismatch', participantId: waitingId }]);

  host.problems.length = 0;
  await assert.rejects(host.session.admit([waitingId], [{ participantId: waitingId, name: 'Priya', keyPackage: substituted }]), TypeError);
  assert.deepEqual(host.problems, [{ code: 'key-package-mismatch', participantId: waitingId }]);
  assert.equal(meeting.mls.epoch, epoch, 'nothing was admitted');

  // The genuine KeyPackage passes the same check, and a real waiting person is admitted by the same host.
  assert.equal(await verifiedKeyPackageIdentity(toBase64(person.keyPackageBytes())), waitingId);
  host.problems.length = 0;
  const waiting = meeting.arrive('participant', true);
  await meeting.settle();
  await host.session.admit([waiting.id]);
  await meeting.settle();
  assert.equal(meeting.mls.epoch, epoch + 1);
  assert.deepEqual(host.session.identityKeyOf(waiting.id), waiting.session.ownIdentityKey());
  assert.deepEqual(host.problems, []);
});
