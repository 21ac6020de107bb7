/**
 * The device identity binding (src/e2ee/identity/binding.ts) as the MLS layer enforces it: every leaf a
 * member accepts must carry an identity key that signed the leaf's participant id and MLS signature key.
 * The attacks: a participant copying another's identity key into its own credential, a committer that adds
 * such a KeyPackage anyway, a Welcome whose tree holds one, and a server that swaps the identity key inside
 * a relayed KeyPackage. The private identity key itself cannot be read out of its CryptoKey.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCommit,
  createGroup,
  encodeMlsMessage,
  type KeyPackage,
} from 'ts-mls';
import { bindIdentity, decodeBoundIdentity, encodeBoundIdentity } from '../../src/e2ee/identity/binding.ts';
import { ephemeralDeviceIdentity, generateIdentityKeyPair, type DeviceIdentity } from '../../src/e2ee/identity/device-identity.ts';
import { MlsProtocolError } from '../../src/e2ee/mls/errors.ts';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { decodeWholeMlsMessage } from '../../src/e2ee/mls/wire.ts';
import { toBase64 } from '../../src/e2ee/session/base64.ts';
import { keyPackageIdentity, verifiedKeyPackageIdentity } from '../../src/e2ee/session/key-package.ts';
import { participantId, rawKeyPackageWithIdentity, type RawKeyPackage } from './mls-harness.ts';

const suite = await loadMlsSuite();
const cs = suite.impl;
const [hostId, bobId, carolId] = [participantId(0xa1), participantId(0xa2), participantId(0xa3)];
const GROUP = 'identity-binding';

/** A KeyPackage whose credential identity bytes are whatever `identityBytes` makes of its MLS signature key. */
const keyPackageWith = (identityBytes: (signaturePublicKey: Uint8Array) => Promise<Uint8Array>) => rawKeyPackageWithIdentity(suite, identityBytes);

/** Carol's KeyPackage claiming Bob's identity key, signed by Carol's own identity key (she has no other). */
function carolClaimingBobsKey(carol: DeviceIdentity, bob: DeviceIdentity): Promise<RawKeyPackage> {
  return keyPackageWith(async (signaturePublicKey) => {
    const own = decodeBoundIdentity(await bindIdentity(carolId, signaturePublicKey, carol))!;
    return encodeBoundIdentity({ ...own, identityKey: bob.publicKey });
  });
}

async function groupOfHostAndBob(bobDevice: DeviceIdentity): Promise<{ host: MlsMember; bob: MlsMember }> {
  const host = await MlsMember.create(hostId, { suite });
  await host.createGroup(GROUP);
  const bob = await MlsMember.create(bobId, { suite, deviceIdentity: bobDevice });
  const output = await host.commit({ add: [{ identity: bobId, keyPackage: bob.keyPackageBytes() }] });
  await host.applyPendingCommit();
  await bob.joinFromWelcome(output.welcome!, GROUP);
  return { host, bob };
}

test('every member sees the identity key each member bound to its credential, its own included', async () => {
  const bobDevice = await ephemeralDeviceIdentity();
  const { host, bob } = await groupOfHostAndBob(bobDevice);
  assert.deepEqual(host.identityKeyOf(bobId), bobDevice.publicKey);
  assert.deepEqual(bob.ownIdentityKey(), bobDevice.publicKey);
  assert.deepEqual(bob.identityKeyOf(hostId), host.ownIdentityKey());
  assert.equal(host.identityKeyOf(carolId), undefined, 'no key for someone who is not a member');
  assert.equal(await verifiedKeyPackageIdentity(toBase64(bob.keyPackageBytes())), bobId);
});

test('a participant cannot put another person\u2019s identity key into its own credential: the committer refuses the KeyPackage', async () => {
  const bobDevice = await ephemeralDeviceIdentity();
  const { host } = await groupOfHostAndBob(bobDevice);
  const forged = await carolClaimingBobsKey(await ephemeralDeviceIdentity(), bobDevice);
  assert.equal(keyPackageIdentity(toBase64(forged.bytes)), carolId, 'the id alone looks right');
  assert.equal(await verifiedKeyPackageIdentity(toBase64(forged.bytes)), undefined, 'the binding does not verify');
  await assert.rejects(host.commit({ add: [{ identity: carolId, keyPackage: forged.bytes }] }));
  assert.equal(host.phase, 'active', 'nothing is pending: the forged KeyPackage never got into a commit');

  // Nor can she replay a binding Bob made (say in an earlier meeting): it covers Bob's MLS signature key, not hers.
  const bobsBinding = decodeBoundIdentity(decodeKeyPackageCredential((await MlsMember.create(carolId, { suite, deviceIdentity: bobDevice })).keyPackageBytes())!)!;
  const replayed = await keyPackageWith(async () => encodeBoundIdentity(bobsBinding));
  assert.equal(await verifiedKeyPackageIdentity(toBase64(replayed.bytes)), undefined, 'a replayed binding does not verify with another MLS key');
  await assert.rejects(host.commit({ add: [{ identity: carolId, keyPackage: replayed.bytes }] }));

  // The same committer takes Carol's genuine KeyPackage: the refusals above were the bindings'.
  const genuine = await MlsMember.create(carolId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  await host.commit({ add: [{ identity: carolId, keyPackage: genuine.keyPackageBytes() }] });
  await host.applyPendingCommit();
  assert.deepEqual(host.identityKeyOf(carolId), genuine.ownIdentityKey());
});

test('members refuse a commit by a rogue committer that adds a KeyPackage whose binding does not verify', async () => {
  // The rogue committer runs ts-mls itself, with an authentication service that accepts anything.
  const rogueDevice = await ephemeralDeviceIdentity();
  const rogue = await keyPackageWith((key) => bindIdentity(hostId, key, rogueDevice));
  let state = await createGroup(new TextEncoder().encode(GROUP), rogue.publicPackage, rogue.privatePackage, [], cs);
  const bobDevice = await ephemeralDeviceIdentity();
  const bob = await MlsMember.create(bobId, { suite, deviceIdentity: bobDevice });
  const addBob = await createCommit({ state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(bob.keyPackageBytes()) } }], ratchetTreeExtension: true });
  state = addBob.newState;
  await bob.joinFromWelcome(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: addBob.welcome! }), GROUP);

  const forged = await carolClaimingBobsKey(await ephemeralDeviceIdentity(), bobDevice);
  const addCarol = await createCommit({ state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: forged.publicPackage } }], ratchetTreeExtension: true });
  const epoch = bob.epoch;
  await assert.rejects(bob.processCommit(encodeMlsMessage(addCarol.commit)), (e: unknown) => e instanceof MlsProtocolError && e.code === 'rejected');
  assert.equal(bob.epoch, epoch, 'Bob stays at his epoch');
  assert.equal(bob.identityKeyOf(carolId), undefined);

  // A commit from the same rogue adding a genuine KeyPackage goes through: the refusal was the binding's.
  const genuine = await MlsMember.create(carolId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  const addGenuine = await createCommit({ state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(genuine.keyPackageBytes()) } }], ratchetTreeExtension: true });
  assert.equal((await bob.processCommit(encodeMlsMessage(addGenuine.commit))).kind, 'applied');

  // And someone joining from a Welcome whose tree holds the forged leaf refuses it, like a tampered tree.
  const sabhaJoiner = await MlsMember.create(participantId(0xa5), { suite });
  const withSabhaJoiner = await createCommit(
    { state, cipherSuite: cs },
    { extraProposals: [forged.publicPackage, decodeKeyPackage(sabhaJoiner.keyPackageBytes())].map((keyPackage) => ({ proposalType: 'add' as const, add: { keyPackage } })), ratchetTreeExtension: true },
  );
  await assert.rejects(
    sabhaJoiner.joinFromWelcome(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: withSabhaJoiner.welcome! }), GROUP),
    (e: unknown) => e instanceof MlsProtocolError && e.code === 'rejected',
  );
  // The same Welcome without the forged leaf is taken.
  const otherJoiner = await MlsMember.create(participantId(0xa6), { suite });
  const withoutForged = await createCommit({ state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: decodeKeyPackage(otherJoiner.keyPackageBytes()) } }], ratchetTreeExtension: true });
  await otherJoiner.joinFromWelcome(encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: withoutForged.welcome! }), GROUP);
  assert.equal(otherJoiner.phase, 'active');
});

test('a server that swaps the identity key inside a relayed KeyPackage gets it refused', async () => {
  const bobDevice = await ephemeralDeviceIdentity();
  const { host } = await groupOfHostAndBob(await ephemeralDeviceIdentity());
  const carol = await MlsMember.create(carolId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  const original = carol.keyPackageBytes();
  const carolKey = carol.ownIdentityKey();
  // Find Carol's identity key in the bytes and put the server's (here: Bob's) in its place.
  const at = indexOf(original, carolKey);
  assert.ok(at > 0, 'the identity key travels in the KeyPackage');
  const swapped = original.slice();
  swapped.set(bobDevice.publicKey, at);
  assert.equal(await verifiedKeyPackageIdentity(toBase64(swapped)), undefined);
  await assert.rejects(host.commit({ add: [{ identity: carolId, keyPackage: swapped }] }));
  // The genuine one still goes in.
  await host.commit({ add: [{ identity: carolId, keyPackage: original }] });
  await host.applyPendingCommit();
  assert.deepEqual(host.identityKeyOf(carolId), carolKey);
});

test('the private identity key cannot be exported, and only the public key is in the credential', async () => {
  const pair = await generateIdentityKeyPair();
  assert.equal(pair.privateKey.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('pkcs8', pair.privateKey));
  await assert.rejects(crypto.subtle.exportKey('jwk', pair.privateKey));
  const member = await MlsMember.create(carolId, { suite, deviceIdentity: await ephemeralDeviceIdentity() });
  const credential = decodeKeyPackageCredential(member.keyPackageBytes())!;
  assert.equal(credential.length, 117, 'magic, participant id, algorithm, public key, signature: nothing else');
});

function decodeKeyPackage(bytes: Uint8Array): KeyPackage {
  const message = decodeWholeMlsMessage(bytes);
  assert.ok(message.wireformat === 'mls_key_package');
  return message.keyPackage;
}

function decodeKeyPackageCredential(bytes: Uint8Array): Uint8Array | undefined {
  const credential = decodeKeyPackage(bytes).leafNode.credential;
  return credential.credentialType === 'basic' ? credential.identity : undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
