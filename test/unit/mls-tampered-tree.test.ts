/**
 * Parent-hash verification of a joiner's ratchet tree, after the tree-hash cache that
 * patches/ts-mls+1.6.4.patch adds to ts-mls's parentHash.js and treeHash.js.
 *
 * A committer that misbehaves can put any tree in the Welcome it signs: the tree hash then matches (it
 * computes it over its own tree), so only parent-hash verification stands between the joiner and parent
 * keys that no member set. The group here has what makes the cache matter: parent nodes set by two
 * different members' UpdatePaths, a removal, and a re-admitted leaf listed in an unmerged_leaves list.
 * The malicious committer is written with ts-mls directly; the joiner is Sabha's MlsMember.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCommit,
  createGroup,
  decodeMlsMessage,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  processMessage,
  type ClientState,
  type CreateCommitResult,
  type KeyPackage,
  type Proposal,
  type RatchetTree,
} from 'ts-mls';
import { verifyParentHashes } from 'ts-mls/parentHash.js';
import { MlsProtocolError } from '../../src/e2ee/mls/errors.ts';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import { securityCodeFromAuthenticator } from '../../src/e2ee/mls/securityCode.ts';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { participantId, rawKeyPackage, type RawKeyPackage } from './mls-harness.ts';

const suite = await loadMlsSuite();
const cs = suite.impl;

type ParentHashCheck = (tree: RatchetTree, h: typeof cs.hash) => Promise<boolean>;
/** The unpatched parentHash.js of ts-mls 1.6.4, which the benchmark's baseline also runs. */
const { upstreamParentHashUrl } = (await import('../../bench/baseline/upstream-parent-hash.mjs' as string)) as { upstreamParentHashUrl: () => string };
const upstream = (await import(upstreamParentHashUrl())) as { verifyParentHashes: ParentHashCheck };

/** A group of raw ts-mls states, every commit processed by every other member. */
class RawGroup {
  readonly states: ClientState[] = [];

  static async create(size: number): Promise<RawGroup> {
    const group = new RawGroup();
    const first = await rawKeyPackage(suite, participantId(0x500));
    group.states.push(await createGroup(new TextEncoder().encode('tampered-tree'), first.publicPackage, first.privatePackage, [], cs));
    const others = await Promise.all(Array.from({ length: size - 1 }, (_, i) => rawKeyPackage(suite, participantId(0x501 + i))));
    await group.commit(0, others.map((k) => ({ proposalType: 'add', add: { keyPackage: k.publicPackage } })));
    await group.joinLastWelcome(others);
    return group;
  }

  #lastWelcome: CreateCommitResult['welcome'];

  /** The members added by the last commit join from its Welcome. */
  async joinLastWelcome(added: readonly RawKeyPackage[]): Promise<void> {
    assert.ok(this.#lastWelcome);
    for (const k of added) this.states.push(await joinGroup(this.#lastWelcome, k.publicPackage, k.privatePackage, emptyPskIndex, cs));
  }

  /** Member at `leaf` commits `proposals`; everyone else processes it. Removed members drop out. */
  async commit(leaf: number, proposals: Proposal[]): Promise<void> {
    const index = this.states.findIndex((s) => s.privatePath.leafIndex === leaf);
    const result = await createCommit({ state: this.states[index]!, cipherSuite: cs }, { extraProposals: proposals, ratchetTreeExtension: true });
    this.#lastWelcome = result.welcome;
    const commit = result.commit;
    assert.ok(commit.wireformat === 'mls_private_message');
    for (let i = 0; i < this.states.length; i++) {
      if (i === index) continue;
      const processed = await processMessage(commit, this.states[i]!, emptyPskIndex, () => 'accept', cs);
      assert.ok(processed.kind === 'newState');
      this.states[i] = processed.newState;
    }
    this.states[index] = result.newState;
    for (let i = this.states.length - 1; i >= 0; i--) if (this.states[i]!.groupActiveState.kind === 'removedFromGroup') this.states.splice(i, 1);
  }

  state(leaf: number): ClientState {
    const state = this.states.find((s) => s.privatePath.leafIndex === leaf);
    assert.ok(state, `a member at leaf ${leaf}`);
    return state;
  }
}

/**
 * Eight members; leaf 2 removes leaf 5 (UpdatePath from leaf 2), leaf 1 commits an empty commit (its
 * UpdatePath), leaf 0 re-admits someone into leaf 5 without a path: the root then lists leaf 5 as unmerged.
 */
async function groupWithHistory(): Promise<RawGroup> {
  const group = await RawGroup.create(8);
  await group.commit(2, [{ proposalType: 'remove', remove: { removed: 5 } }]);
  await group.commit(1, []);
  const readmitted = await rawKeyPackage(suite, participantId(0x5ff));
  await group.commit(0, [{ proposalType: 'add', add: { keyPackage: readmitted.publicPackage } }]);
  await group.joinLastWelcome([readmitted]);
  return group;
}

type TreeNode = NonNullable<RatchetTree[number]>;
type ParentNode = Extract<TreeNode, { nodeType: 'parent' }>;

function parentAt(tree: RatchetTree, index: number): ParentNode {
  const node = tree[index];
  assert.ok(node?.nodeType === 'parent', `node ${index} is a non-blank parent`);
  return node;
}

function withParent(tree: RatchetTree, index: number, change: (p: ParentNode['parent']) => ParentNode['parent']): RatchetTree {
  const copy = tree.slice();
  const node = parentAt(tree, index);
  copy[index] = { ...node, parent: change(node.parent) };
  return copy;
}

function flipFirstByte(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[0] = copy[0]! ^ 0x01;
  return copy;
}

/**
 * The malicious committer (leaf 0) replaces its tree by `tamper(tree)` and adds a Sabha member with it:
 * the Welcome it makes carries the tampered tree, signed, with a tree hash computed over it.
 */
async function welcomeWithTree(group: RawGroup, tamper: (tree: RatchetTree) => RatchetTree): Promise<{ joiner: MlsMember; welcome: Uint8Array; committer: ClientState }> {
  const joiner = await MlsMember.create(participantId(0x600), { suite });
  const committerState = group.state(0);
  const state: ClientState = { ...committerState, ratchetTree: tamper(committerState.ratchetTree) };
  const message = decodeMlsMessage(joiner.keyPackageBytes(), 0);
  assert.ok(message && message[0].wireformat === 'mls_key_package');
  const result = await createCommit({ state, cipherSuite: cs }, { extraProposals: [{ proposalType: 'add', add: { keyPackage: message[0].keyPackage } }], ratchetTreeExtension: true });
  assert.ok(result.welcome);
  return { joiner, welcome: encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }), committer: result.newState };
}

function refusedForParentHash(err: unknown): boolean {
  return err instanceof MlsProtocolError && err.code === 'rejected' && err.cause instanceof Error && /parent hash/i.test(err.cause.message);
}

test('the group used here has parents from the UpdatePaths of two members and an unmerged leaf, and its honest Welcome is joined', async () => {
  const group = await groupWithHistory();
  const tree = group.state(0).ratchetTree;
  assert.deepEqual(parentAt(tree, 7).parent.unmergedLeaves, [5], 'the root lists the re-admitted leaf 5');
  assert.ok(parentAt(tree, 5).parent.parentHash.length > 0, 'node 5 was set by leaf 2');
  assert.ok(parentAt(tree, 1).parent.parentHash.length > 0, 'node 1 was set by leaf 1');

  const { joiner, welcome, committer } = await welcomeWithTree(group, (t) => t);
  await joiner.joinFromWelcome(welcome);
  assert.equal(joiner.securityCode(), securityCodeFromAuthenticator(committer.keySchedule.epochAuthenticator));
});

test('a Welcome whose tree has another public key on a parent node set by a member is refused for its parent hash', async () => {
  const group = await groupWithHistory();
  const { joiner, welcome } = await welcomeWithTree(group, (t) => withParent(t, 5, (p) => ({ ...p, hpkePublicKey: flipFirstByte(p.hpkePublicKey) })));
  await assert.rejects(joiner.joinFromWelcome(welcome), refusedForParentHash);
  assert.equal(joiner.phase, 'fresh');
});

test('a Welcome whose tree drops a leaf from a parent node\'s unmerged leaves is refused for its parent hash', async () => {
  // The original sibling tree hash is computed with the unmerged leaves removed: this is the cached path.
  const group = await groupWithHistory();
  const { joiner, welcome } = await welcomeWithTree(group, (t) => withParent(t, 7, (p) => ({ ...p, unmergedLeaves: [] })));
  await assert.rejects(joiner.joinFromWelcome(welcome), refusedForParentHash);
});

test('a Welcome whose tree changes the parent hash stored in a parent node is refused for its parent hash', async () => {
  const group = await groupWithHistory();
  const { joiner, welcome } = await welcomeWithTree(group, (t) => withParent(t, 3, (p) => ({ ...p, parentHash: flipFirstByte(p.parentHash) })));
  await assert.rejects(joiner.joinFromWelcome(welcome), refusedForParentHash);
});

test('the patched parent-hash check gives the verdict of unpatched ts-mls 1.6.4 on the tree and on every one-field tampering of it', async () => {
  const group = await groupWithHistory();
  const tree = group.state(0).ratchetTree;
  const variants: [string, RatchetTree][] = [['honest', tree]];
  for (let i = 0; i < tree.length; i++) {
    const node = tree[i];
    if (node === undefined) continue;
    const blanked = tree.slice();
    blanked[i] = undefined;
    variants.push([`node ${i} blanked`, blanked]);
    const copy = tree.slice();
    if (node.nodeType === 'leaf') {
      copy[i] = { ...node, leaf: { ...node.leaf, hpkePublicKey: flipFirstByte(node.leaf.hpkePublicKey) } };
      variants.push([`leaf ${i} key`, copy]);
      if (node.leaf.leafNodeSource === 'commit') {
        const hashed = tree.slice();
        hashed[i] = { ...node, leaf: { ...node.leaf, parentHash: flipFirstByte(node.leaf.parentHash) } };
        variants.push([`leaf ${i} parent hash`, hashed]);
      }
    } else {
      variants.push([`parent ${i} key`, withParent(tree, i, (p) => ({ ...p, hpkePublicKey: flipFirstByte(p.hpkePublicKey) }))]);
      if (node.parent.parentHash.length > 0) variants.push([`parent ${i} parent hash`, withParent(tree, i, (p) => ({ ...p, parentHash: flipFirstByte(p.parentHash) }))]);
      variants.push([`parent ${i} lists leaf 3`, withParent(tree, i, (p) => ({ ...p, unmergedLeaves: [...p.unmergedLeaves, 3] }))]);
      for (const leaf of node.parent.unmergedLeaves) {
        variants.push([`parent ${i} drops leaf ${leaf}`, withParent(tree, i, (p) => ({ ...p, unmergedLeaves: p.unmergedLeaves.filter((l) => l !== leaf) }))]);
      }
    }
  }
  const verdict = async (check: ParentHashCheck, t: RatchetTree): Promise<string> => {
    try {
      return String(await check(t, cs.hash));
    } catch (err) {
      return `throws ${(err as Error).message}`;
    }
  };
  let refused = 0;
  for (const [name, t] of variants) {
    const expected = await verdict(upstream.verifyParentHashes, t);
    assert.equal(await verdict(verifyParentHashes, t), expected, name);
    if (expected !== 'true') refused += 1;
  }
  assert.equal(await verdict(verifyParentHashes, tree), 'true', 'the honest tree verifies');
  assert.ok(refused >= 10, `most tamperings are refused (${refused} of ${variants.length})`);
});
