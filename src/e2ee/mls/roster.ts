/**
 * The group's leaves seen as participants, and what a commit may do to them. Shared by the committer side of
 * MlsMember (building a commit) and the receiving side (the policy a relayed commit must pass), so both
 * apply the same rules: a participant has one leaf, and a participant re-added in the commit that removes
 * its old leaf (a resync) keeps that leaf's signature key.
 */
import type { ClientState, IncomingMessageCallback, KeyPackage } from 'ts-mls';
import { MlsProtocolError } from './errors.ts';
import { identityKeyOf, participantIdOf, type ParticipantId } from './identity.ts';
import { SABHA_CIPHERSUITE } from './suite.ts';
import { decodeWholeMlsMessage } from './wire.ts';
import { constantTimeEqual } from '../sframe/bytes.ts';

/** The participant at each leaf index (undefined for a blank leaf), without trailing blanks. */
export function membersOf(state: ClientState): (ParticipantId | undefined)[] {
  const members: (ParticipantId | undefined)[] = [];
  for (let node = 0; node < state.ratchetTree.length; node += 2) {
    const entry = state.ratchetTree[node];
    members.push(entry?.nodeType === 'leaf' ? participantIdOf(entry.leaf.credential) : undefined);
  }
  while (members.length > 0 && members[members.length - 1] === undefined) members.pop();
  return members;
}

/** The device identity key in the credential of `identity`'s leaf, if it is a member. */
export function identityKeyOfMember(state: ClientState, identity: string): Uint8Array | undefined {
  const leaf = membersOf(state).indexOf(identity);
  const node = leaf < 0 ? undefined : state.ratchetTree[leaf * 2];
  return node?.nodeType === 'leaf' ? identityKeyOf(node.leaf.credential) : undefined;
}

/** Whether `keyPackage` is signed with the signature key of the member at `leaf` (a resync keeps it). */
export function sameSigner(state: ClientState, leaf: number, keyPackage: KeyPackage): boolean {
  const node = state.ratchetTree[leaf * 2];
  return node?.nodeType === 'leaf' && constantTimeEqual(node.leaf.signaturePublicKey, keyPackage.leafNode.signaturePublicKey);
}

/** Decodes a KeyPackage to be added and checks it is for our suite and carries the announced identity. */
export function checkedKeyPackage(identity: string, bytes: Uint8Array): KeyPackage {
  const message = decodeWholeMlsMessage(bytes);
  if (message.wireformat !== 'mls_key_package') throw new MlsProtocolError('malformed', 'not a KeyPackage');
  const keyPackage = message.keyPackage;
  if (keyPackage.cipherSuite !== SABHA_CIPHERSUITE) throw new MlsProtocolError('rejected', 'KeyPackage of another cipher suite');
  // The server relays KeyPackages: refusing one whose credential names someone else stops it from
  // admitting a key of its choosing under an announced participant's name.
  if (participantIdOf(keyPackage.leafNode.credential) !== identity) {
    throw new MlsProtocolError('rejected', 'KeyPackage does not carry the announced identity');
  }
  return keyPackage;
}

/** A relayed commit's policy check, and what it found: who it adds and removes, or why it is refused. */
export interface CommitPolicy {
  readonly callback: IncomingMessageCallback;
  readonly added: ParticipantId[];
  readonly removed: ParticipantId[];
  /** Set once the callback refused the commit. */
  readonly violation: () => string | undefined;
}

/** The rules a relayed commit must follow, checked against the roster of `state` before it is applied. */
export function commitPolicy(state: ClientState): CommitPolicy {
  const roster = membersOf(state);
  let violation: string | undefined;
  const added: ParticipantId[] = [];
  const removed: ParticipantId[] = [];
  const callback: IncomingMessageCallback = (incoming) => {
    if (incoming.kind !== 'commit' || incoming.senderLeafIndex === undefined) {
      violation = 'only commits by members are accepted';
      return 'reject';
    }
    const addedPackages: KeyPackage[] = [];
    for (const { proposal } of incoming.proposals) {
      if (proposal.proposalType === 'add') {
        const id = participantIdOf(proposal.add.keyPackage.leafNode.credential);
        if (id === undefined) violation = 'added credential is not a participant id';
        else {
          added.push(id);
          addedPackages.push(proposal.add.keyPackage);
        }
      } else if (proposal.proposalType === 'remove') {
        const id = roster[proposal.remove.removed];
        if (id === undefined) violation = 'removal of a blank leaf';
        else removed.push(id);
      } else {
        // Sabha commits only carry adds and removes; anything else (extensions, PSKs, reinit) is refused.
        violation = 'proposal type not allowed';
      }
    }
    // A participant has one leaf. Re-adding one (a resync: its old leaf removed by the same commit) must
    // keep that leaf's signature key, which only its holder can sign a KeyPackage with: neither the
    // server nor a committer can swap a key of its own in under a member's name this way.
    added.forEach((id, i) => {
      if (!roster.includes(id)) return;
      if (!removed.includes(id)) violation = 'added participant is already a member';
      else if (!sameSigner(state, roster.indexOf(id), addedPackages[i]!)) violation = 'a re-added member must keep the signature key of its leaf';
    });
    return violation === undefined ? 'accept' : 'reject';
  };
  return { callback, added, removed, violation: () => violation };
}
