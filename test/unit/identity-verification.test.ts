/**
 * Per-person verification against a malicious delivery service (test/helpers/malicious-delivery.ts), the
 * person code itself, and the states the people list shows (src/web/meeting/verification.ts over
 * src/e2ee/identity/verified-people.ts): verified across meetings, "key changed", a reported mismatch,
 * and no verification carried by a display name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Room } from '../../src/client/index.ts';
import { ephemeralDeviceIdentity, identityFingerprint } from '../../src/e2ee/identity/device-identity.ts';
import { personCode, PERSON_CODE_WORD_COUNT } from '../../src/e2ee/identity/person-code.ts';
import { VERIFIED_PEOPLE_STORAGE_KEY, VerifiedPeople, type KeyValueStorage } from '../../src/e2ee/identity/verified-people.ts';
import { PERSON_CODE_WORDS } from '../../src/e2ee/identity/words.ts';
import { MlsProtocolError } from '../../src/e2ee/mls/errors.ts';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { toBase64 } from '../../src/e2ee/session/base64.ts';
import { verifiedKeyPackageIdentity } from '../../src/e2ee/session/key-package.ts';
import { PeopleVerification } from '../../src/web/meeting/verification.ts';
import { MaliciousDeliveryService } from '../helpers/malicious-delivery.ts';
import { participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const [hostId, bobId, priyaId, carolId] = [participantId(0xb1), participantId(0xb2), participantId(0xb3), participantId(0xb4)];
const GROUP = 'verify-people';

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

/** What the people list reads from a Room: the member's view of the group, and the server's names. */
function roomSeenBy(member: MlsMember, names: Record<string, string>): Room {
  const noListener = () => () => undefined;
  return {
    state: { selfId: member.identity, participants: new Map(Object.entries(names).map(([id, name]) => [id, { id, name }])), on: noListener },
    on: noListener,
    encryption: {
      on: noListener,
      identityKeyOf: (id: string) => member.identityKeyOf(id),
      ownIdentityKey: () => member.ownIdentityKey(),
      snapshot: () => ({ state: 'ready', epoch: member.epoch, securityCode: member.securityCode() }),
    },
  } as unknown as Room;
}

async function admit(committer: MlsMember, others: readonly MlsMember[], joiner: { identity: string; keyPackage: Uint8Array }): Promise<Uint8Array> {
  const output = await committer.commit({ add: [joiner] });
  await committer.applyPendingCommit();
  for (const m of others) await m.processCommit(output.commit);
  return output.welcome!;
}

test('a person code is three words from the list, the same on both sides, and different for any other key', async () => {
  const [a, b, c] = await Promise.all([ephemeralDeviceIdentity(), ephemeralDeviceIdentity(), ephemeralDeviceIdentity()]);
  const ab = await personCode(a.publicKey, b.publicKey);
  assert.equal(ab.length, PERSON_CODE_WORD_COUNT);
  for (const word of ab) assert.ok(PERSON_CODE_WORDS.includes(word));
  assert.deepEqual(await personCode(b.publicKey, a.publicKey), ab, 'the same words for both people');
  assert.notDeepEqual(await personCode(a.publicKey, c.publicKey), ab);
  assert.notDeepEqual(await personCode(c.publicKey, b.publicKey), ab);
  await assert.rejects(personCode(a.publicKey, a.publicKey), TypeError);
});

test('a delivery service that substitutes a waiting person\u2019s KeyPackage keeps the group codes equal, but the person codes differ and the UI shows it', async () => {
  const [hostDevice, bobDevice, priyaDevice] = await Promise.all([ephemeralDeviceIdentity(), ephemeralDeviceIdentity(), ephemeralDeviceIdentity()]);
  const host = await MlsMember.create(hostId, { suite, deviceIdentity: hostDevice });
  await host.createGroup(GROUP);
  const bob = await MlsMember.create(bobId, { suite, deviceIdentity: bobDevice });
  await bob.joinFromWelcome(await admit(host, [], { identity: bobId, keyPackage: bob.keyPackageBytes() }), GROUP);

  // Priya waits; the server hands the host a KeyPackage of its own under her participant id.
  const priya = await MlsMember.create(priyaId, { suite, deviceIdentity: priyaDevice });
  const ds = new MaliciousDeliveryService(suite);
  const [relayed] = await ds.relayWaitingRoom([{ participantId: priyaId, keyPackage: priya.keyPackageBytes() }], priyaId);
  assert.equal(await verifiedKeyPackageIdentity(toBase64(relayed!.keyPackage)), priyaId, 'every automatic check passes: the right id, a valid binding');
  const welcome = await admit(host, [bob], { identity: priyaId, keyPackage: relayed!.keyPackage });
  const ghost = ds.ghosts.get(priyaId)!;
  await ghost.joinFromWelcome(welcome, GROUP);
  await assert.rejects(priya.joinFromWelcome(welcome, GROUP), (e: unknown) => e instanceof MlsProtocolError && e.code === 'not-for-us');

  // The group code cannot tell: host, Bob and the ghost are one honest-looking group with "Priya" in it.
  assert.equal(bob.securityCode(), host.securityCode());
  assert.equal(ghost.securityCode(), host.securityCode());
  assert.deepEqual(host.members(), [hostId, bobId, priyaId]);

  // The real Priya is shown a group the server runs, with a fake host under the host's id (a split view).
  const fakeHost = await ds.splitView(hostId, GROUP, priya);
  assert.deepEqual(priya.members(), [hostId, priyaId]);
  assert.notEqual(priya.securityCode(), host.securityCode(), 'a split view also shows in the group code, if compared at that moment');

  // Per person: the host reads the words for "Priya", Priya the words for the host. They differ.
  const hostReads = await personCode(host.ownIdentityKey(), host.identityKeyOf(priyaId)!);
  const priyaReads = await personCode(priya.ownIdentityKey(), priya.identityKeyOf(hostId)!);
  assert.notDeepEqual(hostReads, priyaReads, 'the substituted key shows in the person code');
  // Even had Priya been shown the host's real key, her words with it are not the host's words with the ghost.
  assert.notDeepEqual(await personCode(priyaDevice.publicKey, hostDevice.publicKey), hostReads);
  assert.deepEqual(priya.identityKeyOf(hostId), fakeHost.ownIdentityKey());
  // Between two honest people the words agree.
  assert.deepEqual(await personCode(host.ownIdentityKey(), host.identityKeyOf(bobId)!), await personCode(bob.ownIdentityKey(), bob.identityKeyOf(hostId)!));

  // What the host's people list shows for "Priya": not verified; after the comparison fails, the mismatch.
  const names = { [hostId]: 'Asha', [bobId]: 'Bilal', [priyaId]: 'Priya' };
  const hostView = new PeopleVerification(roomSeenBy(host, names), new VerifiedPeople(new MemoryStorage()));
  assert.equal(hostView.statusOf(priyaId)?.state, 'unverified');
  const words = await hostView.codeWith(priyaId);
  assert.deepEqual(words, hostReads, 'the dialog shows the words the host reads');
  hostView.reportMismatch(priyaId, hostView.fingerprintOf(priyaId)!);
  assert.equal(hostView.statusOf(priyaId)?.state, 'mismatch');
  assert.deepEqual(hostView.summary().notVerifiedNames, ['Bilal', 'Priya']);
  assert.equal(hostView.summary().mismatch, 1);

  // Had the host verified the real Priya in an earlier meeting, the ghost would show "key changed" at once.
  const remembered = new VerifiedPeople(new MemoryStorage());
  remembered.markVerified(identityFingerprint(priyaDevice.publicKey), 'Priya');
  const laterView = new PeopleVerification(roomSeenBy(host, names), remembered);
  assert.deepEqual(laterView.statusOf(priyaId), { state: 'key-changed', rememberedAs: 'Priya' });
});

test('a verification is remembered for the key across meetings, and a new key under the same name shows "key changed"', async () => {
  const storage = new MemoryStorage();
  const [hostDevice, bobDevice] = await Promise.all([ephemeralDeviceIdentity(), ephemeralDeviceIdentity()]);
  const meeting = async (bobDeviceNow: typeof bobDevice, group: string) => {
    const host = await MlsMember.create(hostId, { suite, deviceIdentity: hostDevice });
    await host.createGroup(group);
    const bob = await MlsMember.create(bobId, { suite, deviceIdentity: bobDeviceNow });
    await bob.joinFromWelcome(await admit(host, [], { identity: bobId, keyPackage: bob.keyPackageBytes() }), group);
    // A fresh store over the same storage: what a new page of the same browser profile reads.
    return new PeopleVerification(roomSeenBy(host, { [hostId]: 'Asha', [bobId]: 'Bilal' }), new VerifiedPeople(storage));
  };
  const first = await meeting(bobDevice, 'meeting-1');
  assert.equal(first.statusOf(bobId)?.state, 'unverified');
  assert.equal(first.markVerified(bobId, 'Bilal', first.fingerprintOf(bobId)!), true);
  assert.equal(first.statusOf(bobId)?.state, 'verified');
  assert.equal(first.statusOf(hostId), undefined, 'no state for ourselves');
  assert.ok(storage.getItem(VERIFIED_PEOPLE_STORAGE_KEY)?.includes(first.fingerprintOf(bobId)!));

  const second = await meeting(bobDevice, 'meeting-2');
  assert.deepEqual(second.statusOf(bobId), { state: 'verified', rememberedAs: 'Bilal' }, 'verified without a new comparison');

  // Bob resets his identity: a new key under the same name.
  const third = await meeting(await ephemeralDeviceIdentity(), 'meeting-3');
  assert.deepEqual(third.statusOf(bobId), { state: 'key-changed', rememberedAs: 'Bilal' });
  assert.equal(third.summary().keyChanged, 1);
  // A verification for a key that is no longer the one presented is refused (the dialog was for the old key).
  assert.equal(third.markVerified(bobId, 'Bilal', second.fingerprintOf(bobId)!), false);
});

test('a participant cannot make another\u2019s client show it as verified by taking a verified person\u2019s name', async () => {
  const storage = new MemoryStorage();
  const host = await MlsMember.create(hostId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  await host.createGroup(GROUP);
  const bob = await MlsMember.create(bobId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  await bob.joinFromWelcome(await admit(host, [], { identity: bobId, keyPackage: bob.keyPackageBytes() }), GROUP);
  const carol = await MlsMember.create(carolId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  await carol.joinFromWelcome(await admit(host, [bob], { identity: carolId, keyPackage: carol.keyPackageBytes() }), GROUP);

  const before = new PeopleVerification(roomSeenBy(host, { [hostId]: 'Asha', [bobId]: 'Bilal', [carolId]: 'Chitra' }), new VerifiedPeople(storage));
  before.markVerified(bobId, 'Bilal', before.fingerprintOf(bobId)!);
  assert.equal(before.statusOf(carolId)?.state, 'unverified');

  // Carol renames herself "bilal " (case and spacing do not help), and Bob renames himself "Bob".
  const after = new PeopleVerification(roomSeenBy(host, { [hostId]: 'Asha', [bobId]: 'Bob', [carolId]: 'bilal ' }), new VerifiedPeople(storage));
  assert.deepEqual(after.statusOf(carolId), { state: 'key-changed', rememberedAs: 'Bilal' }, 'the name brings a warning, not verification');
  assert.deepEqual(after.statusOf(bobId), { state: 'verified', rememberedAs: 'Bilal' }, 'verification follows the key, not the name');
});

test('damaged or foreign stored verifications are ignored rather than half-trusted', () => {
  const storage = new MemoryStorage();
  const fingerprint = 'ab'.repeat(32);
  for (const raw of ['not json', JSON.stringify({ version: 2, people: {} }), JSON.stringify({ version: 1, people: { [fingerprint]: { label: 'X', verifiedAt: 1, extra: true } } }), JSON.stringify({ version: 1, people: { short: { label: 'X', verifiedAt: 1 } } })]) {
    storage.setItem(VERIFIED_PEOPLE_STORAGE_KEY, raw);
    assert.equal(new VerifiedPeople(storage).stateOf(fingerprint, 'X').state, 'unverified', raw);
  }
  storage.setItem(VERIFIED_PEOPLE_STORAGE_KEY, JSON.stringify({ version: 1, people: { [fingerprint]: { label: 'X', verifiedAt: 1 } } }));
  assert.equal(new VerifiedPeople(storage).stateOf(fingerprint, 'Y').state, 'verified');
});
