/**
 * Resynchronisation at the MLS layer: a member that fell behind is re-added by one commit that removes its
 * old leaf and adds a fresh KeyPackage made by MlsMember.rejoining, which keeps the leaf's credential and
 * signature key. Whoever commits (Sabha's MlsMember, or a committer written with ts-mls directly, as a
 * malicious one would be) and whoever processes the commit must refuse a "resync" that brings in a key the
 * member never held, and a second leaf for someone who is already a member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCommit,
  createGroup,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  processMessage,
  type ClientState,
  type KeyPackage,
  type Proposal,
} from 'ts-mls';
import { MlsProtocolError } from '../../src/e2ee/mls/errors.ts';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { securityCodeFromAuthenticator } from '../../src/e2ee/mls/securityCode.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { decodeWholeMlsMessage } from '../../src/e2ee/mls/wire.ts';
import { Meeting, participantId, rawKeyPackage } from './mls-harness.ts';

const suite = await loadMlsSuite();
const cs = suite.impl;
const GROUP = 'resync-under-test';

function keyPackageOf(member: MlsMember): KeyPackage {
  const message = decodeWholeMlsMessage(member.keyPackageBytes());
  assert.ok(message.wireformat === 'mls_key_package');
  return message.keyPackage;
}

/**
 * A committer written with ts-mls directly (it checks nothing Sabha's MlsMember checks), B and C as
 * MlsMembers, and D, a plain ts-mls member that accepts whatever ts-mls itself accepts.
 */
async function rawGroup(): Promise<{ committer: ClientState; b: MlsMember; c: MlsMember; d: ClientState }> {
  const own = await rawKeyPackage(suite, participantId(0xa));
  const state = await createGroup(new TextEncoder().encode(GROUP), own.publicPackage, own.privatePackage, [], cs);
  const b = await MlsMember.create(participantId(0xb), { suite });
  const c = await MlsMember.create(participantId(0xc), { suite });
  const dKeys = await rawKeyPackage(suite, participantId(0xd));
  const result = await createCommit(
    { state, cipherSuite: cs },
    {
      extraProposals: [
        { proposalType: 'add', add: { keyPackage: keyPackageOf(b) } },
        { proposalType: 'add', add: { keyPackage: keyPackageOf(c) } },
        { proposalType: 'add', add: { keyPackage: dKeys.publicPackage } },
      ],
      ratchetTreeExtension: true,
    },
  );
  const welcome = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome! });
  await b.joinFromWelcome(welcome, GROUP);
  await c.joinFromWelcome(welcome, GROUP);
  const d = await joinGroup(result.welcome!, dKeys.publicPackage, dKeys.privatePackage, emptyPskIndex, cs);
  return { committer: result.newState, b, c, d };
}

/** Whether plain ts-mls (every check of its own, no Sabha policy) accepts the commit. */
async function tsMlsAccepts(state: ClientState, commit: Uint8Array): Promise<boolean> {
  const message = decodeWholeMlsMessage(commit);
  assert.ok(message.wireformat === 'mls_private_message');
  try {
    const result = await processMessage(message, state, emptyPskIndex, () => 'accept', cs);
    return result.kind === 'newState' && result.actionTaken === 'accept';
  } catch {
    return false;
  }
}

async function rawCommit(state: ClientState, proposals: Proposal[]): Promise<{ newState: ClientState; commit: Uint8Array; welcome: Uint8Array | undefined }> {
  const result = await createCommit({ state, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: true });
  return {
    newState: result.newState,
    commit: encodeMlsMessage(result.commit),
    welcome: result.welcome ? encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }) : undefined,
  };
}

function refusedBecause(pattern: RegExp) {
  return (error: unknown) => error instanceof MlsProtocolError && error.code === 'rejected' && pattern.test(error.message);
}

test('a member that missed a commit is re-added with a fresh KeyPackage, and everyone then shows one security code', async () => {
  const meeting = await Meeting.start(participantId(1), suite, GROUP);
  await meeting.change(participantId(1), [participantId(2), participantId(3)], []);
  const behind = meeting.member(participantId(3));
  // A commit is relayed while participant 3 is away: it stays one epoch behind.
  await meeting.change(participantId(1), [participantId(4)], [], [participantId(3)]);
  assert.equal(behind.epoch, meeting.ds.epoch - 1);
  const codeBefore = meeting.member(participantId(1)).securityCode();

  const fresh = await MlsMember.rejoining(behind);
  assert.equal(fresh.phase, 'fresh');
  assert.equal(fresh.identity, participantId(3));
  const output = await meeting.member(participantId(1)).commit({ remove: [participantId(3)], add: [{ identity: participantId(3), keyPackage: fresh.keyPackageBytes() }] });
  assert.ok(meeting.ds.submit(output));
  meeting.members.delete(participantId(3));
  behind.close();
  const results = await meeting.relay(output.commit);
  for (const [id, result] of results) {
    assert.ok(result.kind === 'applied', `${id} applies the resync commit`);
    assert.deepEqual([result.added, result.removed], [[participantId(3)], [participantId(3)]], `${id} sees participant 3 removed and added`);
  }
  await fresh.joinFromWelcome(output.welcome!, GROUP);
  meeting.members.set(participantId(3), fresh);

  await meeting.assertAgreement();
  assert.notEqual(fresh.securityCode(), codeBefore, 'the security code changed with the resync commit');
  assert.equal(fresh.members().filter((id) => id === participantId(3)).length, 1, 'participant 3 has exactly one leaf');
});

test('a committer refuses to re-add a member with a KeyPackage signed by another key than its leaf', async () => {
  const meeting = await Meeting.start(participantId(1), suite, GROUP);
  await meeting.change(participantId(1), [participantId(2)], []);
  // What a server could make up: a valid KeyPackage in participant 2's name, with a key pair of its own.
  const impostor = await MlsMember.create(participantId(2), { suite });
  const committer = meeting.member(participantId(1));
  assert.equal(committer.acceptsResync(participantId(2), impostor.keyPackageBytes()), false);
  await assert.rejects(
    committer.commit({ remove: [participantId(2)], add: [{ identity: participantId(2), keyPackage: impostor.keyPackageBytes() }] }),
    refusedBecause(/signature key/),
  );
  assert.equal(committer.phase, 'active', 'nothing is left pending');
  const genuine = await MlsMember.rejoining(meeting.member(participantId(2)));
  assert.equal(committer.acceptsResync(participantId(2), genuine.keyPackageBytes()), true);
  assert.equal(committer.acceptsResync(participantId(3), genuine.keyPackageBytes()), false, 'not for another participant');
});

test('members refuse a commit that re-adds a member under a key it never held, and accept one with its own key', async () => {
  const { committer, b, c, d } = await rawGroup();
  const cLeafOfB = c.leafIndexOf(b.identity)!;
  const impostor = await MlsMember.create(b.identity, { suite });
  const forged = await rawCommit(committer, [
    { proposalType: 'remove', remove: { removed: cLeafOfB } },
    { proposalType: 'add', add: { keyPackage: keyPackageOf(impostor) } },
  ]);
  assert.equal(await tsMlsAccepts(d, forged.commit), true, 'ts-mls alone finds nothing wrong with it');
  await assert.rejects(c.processCommit(forged.commit), refusedBecause(/signature key/));
  assert.equal(c.epoch, 1, 'the refused commit changed nothing');

  const genuine = await MlsMember.rejoining(b);
  const resync = await rawCommit(committer, [
    { proposalType: 'remove', remove: { removed: cLeafOfB } },
    { proposalType: 'add', add: { keyPackage: keyPackageOf(genuine) } },
  ]);
  const result = await c.processCommit(resync.commit);
  assert.ok(result.kind === 'applied');
  await genuine.joinFromWelcome(resync.welcome!, GROUP);
  const committerCode = securityCodeFromAuthenticator(resync.newState.keySchedule.epochAuthenticator);
  assert.equal(c.securityCode(), committerCode);
  assert.equal(genuine.securityCode(), committerCode);
});

test('members refuse a commit that gives a participant who is already a member a second leaf', async () => {
  const { committer, b, c, d } = await rawGroup();
  const second = await MlsMember.create(b.identity, { suite });
  const forged = await rawCommit(committer, [{ proposalType: 'add', add: { keyPackage: keyPackageOf(second) } }]);
  assert.equal(await tsMlsAccepts(d, forged.commit), true, 'ts-mls alone finds nothing wrong with it');
  await assert.rejects(c.processCommit(forged.commit), refusedBecause(/already a member/));
});

test('a member that is not in a group cannot make a resync KeyPackage', async () => {
  const lonely = await MlsMember.create(participantId(9), { suite });
  await assert.rejects(MlsMember.rejoining(lonely), { name: 'MlsStateError' });
});
