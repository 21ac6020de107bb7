/**
 * MlsMember: one participant's MLS group state for one meeting, hiding ts-mls.
 *
 * The delivery service (the server) orders commits: at each epoch it accepts the first commit made at that
 * epoch and rejects the others. A committer therefore keeps its own commit pending until the server's
 * verdict, and members process only commits the server relays.
 *
 * State machine. Phases, and the inputs each accepts (any other call throws MlsStateError):
 *
 *   fresh    createGroup                      -> active
 *            joinFromWelcome                  -> active
 *   active   commit                           -> pending   (returns the commit to send; state unchanged)
 *            processCommit                    -> active | removed
 *   pending  applyPendingCommit               -> active    (server accepted our commit)
 *            discardPendingCommit             -> active    (server rejected it; commit again at the new epoch)
 *            processCommit(our own commit)    -> active    (the relay of our commit counts as acceptance)
 *            processCommit(another commit)    -> active | removed (we lost the race; ours is dropped)
 *   removed  (terminal: a commit removed us; make a new MlsMember to rejoin)
 *   (fell behind: MlsMember.rejoining(this) makes a fresh member with our signature key, to be re-added)
 *   closed   (terminal)
 *   any      close                            -> closed
 *
 * In active and pending: epoch, ownLeafIndex, leafIndexOf, members, exportSFrameBaseKey, securityCode,
 * encryptApplication, decryptApplication; while pending these act on the current epoch, not the pending one.
 * In every phase: identity, phase, keyPackageBytes, ownIdentityKey; members() also when removed (last known
 * roster); identityKeyOf answers in active and pending, and undefined otherwise.
 *
 * Leaving: a member that leaves just closes; MLS forbids committing one's own removal, so the next committer
 * (see committer.ts) commits the Remove. A pending commit of a leaving committer is simply never accepted.
 *
 * Every async operation runs in a per-instance queue, so a commit processed while a chat message is being
 * decrypted cannot be overwritten by the older state.
 */
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  emptyPskIndex,
  encodeMlsMessage,
  joinGroup,
  mlsExporter,
  processMessage,
  zeroOutUint8Array,
  type ClientConfig,
  type ClientState,
  type KeyPackage,
  type PrivateKeyPackage,
  type Proposal,
} from 'ts-mls';
import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { MlsProtocolError, MlsStateError } from './errors.ts';
import { assertParticipantId, boundCredentialFor, identityKeyOf, participantAuthService, participantIdOf, type ParticipantId } from './identity.ts';
import { ephemeralDeviceIdentity } from '../identity/device-identity.ts';
import { securityCodeFromAuthenticator } from './securityCode.ts';
import { loadMlsSuite, type MlsSuite } from './suite.ts';
import { decodeWholeMlsMessage, epochToNumber } from './wire.ts';
import { SerialQueue } from '../../events/serial-queue.ts';
import { constantTimeEqual } from '../sframe/bytes.ts';
import { checkedKeyPackage, commitPolicy, identityKeyOfMember, membersOf, sameSigner } from './roster.ts';
import { newKeyPackage } from './key-packages.ts';
import type { MlsApplicationMessage, MlsCommitOutput, MlsCommitRequest, MlsCommitResult, MlsMemberOptions, MlsPhase } from './member-types.ts';

export type { MlsAddition, MlsApplicationMessage, MlsCommitOutput, MlsCommitRequest, MlsCommitResult, MlsMemberOptions, MlsPhase } from './member-types.ts';

/** RFC 9605 section 5.2: the SFrame base key of an epoch is this MLS exporter output, empty context, Nh bytes. */
const SFRAME_EXPORTER_LABEL = 'SFrame 1.0 Base Key';

interface PendingCommit {
  readonly commitBytes: Uint8Array;
  readonly newState: ClientState;
  readonly consumed: Uint8Array[];
  readonly added: readonly ParticipantId[];
  readonly removed: readonly ParticipantId[];
}

export class MlsMember {
  readonly identity: ParticipantId;
  readonly #suite: MlsSuite;
  readonly #keyPackage: KeyPackage;
  readonly #keyPackageBytes: Uint8Array;
  readonly #clientConfig: ClientConfig;
  #privateKeyPackage: PrivateKeyPackage | undefined;
  #phase: MlsPhase = 'fresh';
  #state: ClientState | undefined;
  #pending: PendingCommit | undefined;
  #lastMembers: (ParticipantId | undefined)[] = [];
  readonly #queue = new SerialQueue();

  private constructor(identity: ParticipantId, suite: MlsSuite, keyPackage: KeyPackage, privateKeyPackage: PrivateKeyPackage) {
    this.identity = identity;
    this.#suite = suite;
    this.#keyPackage = keyPackage;
    this.#privateKeyPackage = privateKeyPackage;
    this.#keyPackageBytes = encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage });
    this.#clientConfig = {
      keyRetentionConfig: defaultKeyRetentionConfig,
      lifetimeConfig: defaultLifetimeConfig,
      keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
      paddingConfig: defaultPaddingConfig,
      authService: participantAuthService(),
    };
  }

  /** Generates signature keys and a KeyPackage for `identity` (a server-assigned participant id). */
  static async create(identity: string, options: MlsMemberOptions = {}): Promise<MlsMember> {
    assertParticipantId(identity);
    const suite = options.suite ?? (await loadMlsSuite());
    // The MLS signature key is made first so that the device identity key can sign it into the credential.
    const signatureKeys = await suite.impl.signature.keygen();
    const device = options.deviceIdentity ?? (await ephemeralDeviceIdentity());
    const credential = await boundCredentialFor(identity, signatureKeys.publicKey, device);
    const { publicPackage, privatePackage } = await newKeyPackage(credential, signatureKeys, suite);
    return new MlsMember(identity, suite, publicPackage, privatePackage);
  }

  /**
   * A new member for the same participant, to be re-added after it fell behind (a missed commit: docs/e2ee-mls.md
   * "Resynchronisation"): a fresh KeyPackage with the credential and the signature key of `previous`'s leaf,
   * so that the committer and every member can check that whoever asks holds that leaf's private key. Needs
   * `previous` in the group (active or pending); `previous` is left as it is (close it once replaced).
   */
  static async rejoining(previous: MlsMember): Promise<MlsMember> {
    const state = previous.#current();
    const own = state.ratchetTree[state.privatePath.leafIndex * 2];
    if (own?.nodeType !== 'leaf') throw new MlsStateError('own leaf missing from the tree');
    const signatureKeys = { signKey: state.signaturePrivateKey.slice(), publicKey: own.leaf.signaturePublicKey.slice() };
    const { publicPackage, privatePackage } = await newKeyPackage(own.leaf.credential, signatureKeys, previous.#suite);
    return new MlsMember(previous.identity, previous.#suite, publicPackage, privatePackage);
  }

  get phase(): MlsPhase {
    return this.#phase;
  }

  /** The KeyPackage (as an MLSMessage) to hand to the server, which passes it to the committer. */
  keyPackageBytes(): Uint8Array {
    return this.#keyPackageBytes.slice();
  }

  get epoch(): number {
    return epochToNumber(this.#current().groupContext.epoch);
  }

  get ownLeafIndex(): number {
    return this.#current().privatePath.leafIndex;
  }

  /** Identities by leaf index; undefined marks a blank leaf. */
  members(): (ParticipantId | undefined)[] {
    if (this.#phase === 'removed') return this.#lastMembers.slice();
    return membersOf(this.#current());
  }

  /**
   * The device identity public key of a current member, as its credential carries it (every leaf's binding
   * was verified when the leaf was accepted); undefined for a participant who is not a member.
   */
  identityKeyOf(identity: string): Uint8Array | undefined {
    if (this.#phase !== 'active' && this.#phase !== 'pending') return undefined;
    return identityKeyOfMember(this.#current(), identity)?.slice();
  }

  /** Our own device identity public key, from our KeyPackage's credential. */
  ownIdentityKey(): Uint8Array {
    const key = identityKeyOf(this.#keyPackage.leafNode.credential);
    if (key === undefined) throw new MlsStateError('own credential carries no identity key');
    return key.slice();
  }

  /**
   * Whether `keyPackage` may re-add the member `identity` (a resync): a KeyPackage of our suite that carries
   * that participant id and the signature key of its current leaf. Lets a committer leave a bad one out of a batch.
   */
  acceptsResync(identity: string, keyPackage: Uint8Array): boolean {
    if (this.#phase !== 'active' && this.#phase !== 'pending') return false;
    const state = this.#current();
    const leaf = membersOf(state).indexOf(identity);
    if (leaf < 0 || identity === this.identity) return false;
    try {
      return sameSigner(state, leaf, checkedKeyPackage(identity, keyPackage));
    } catch {
      return false;
    }
  }

  leafIndexOf(identity: string): number | undefined {
    const index = this.members().indexOf(identity);
    return index < 0 ? undefined : index;
  }

  createGroup(groupId: string): Promise<void> {
    return this.#run(async () => {
      this.#require('fresh');
      if (groupId.length === 0) throw new TypeError('empty group id');
      const state = await createGroup(
        new TextEncoder().encode(groupId),
        this.#keyPackage,
        this.#takePrivateKeyPackage(),
        [],
        this.#suite.impl,
        this.#clientConfig,
      );
      this.#enter(state);
    });
  }

  /**
   * Joins from a Welcome (as an MLSMessage). Throws MlsProtocolError('not-for-us') if the Welcome does not
   * carry our KeyPackage, ('wrong-group') if `expectedGroupId` is given and differs.
   */
  joinFromWelcome(welcomeBytes: Uint8Array, expectedGroupId?: string): Promise<void> {
    return this.#run(async () => {
      this.#require('fresh');
      const message = decodeWholeMlsMessage(welcomeBytes);
      if (message.wireformat !== 'mls_welcome') throw new MlsProtocolError('malformed', 'not a Welcome');
      const welcome = message.welcome;
      const ref = await makeKeyPackageRef(this.#keyPackage, this.#suite.impl.hash);
      if (!welcome.secrets.some((s) => constantTimeEqual(s.newMember, ref))) throw new MlsProtocolError('not-for-us', 'Welcome is not for our KeyPackage');
      const privateKeys = this.#privateKeyPackage;
      if (privateKeys === undefined) throw new MlsStateError('KeyPackage already used');
      let state: ClientState;
      try {
        state = await joinGroup(welcome, this.#keyPackage, privateKeys, emptyPskIndex, this.#suite.impl, undefined, undefined, this.#clientConfig);
      } catch (cause) {
        throw new MlsProtocolError('rejected', 'Welcome refused', { cause });
      }
      if (expectedGroupId !== undefined && !constantTimeEqual(state.groupContext.groupId, new TextEncoder().encode(expectedGroupId))) {
        throw new MlsProtocolError('wrong-group', 'Welcome is for another group');
      }
      this.#takePrivateKeyPackage();
      this.#enter(state);
    });
  }

  /**
   * Makes a commit adding and removing the given participants (one commit for a whole batch), without
   * applying it: call applyPendingCommit or discardPendingCommit once the server has decided.
   * An empty request makes a pure key-refresh commit.
   */
  commit(request: MlsCommitRequest): Promise<MlsCommitOutput> {
    return this.#run(async () => {
      if (this.#phase === 'pending') throw new MlsStateError('a commit is already pending');
      const state = this.#current();
      const roster = membersOf(state);
      const proposals: Proposal[] = [];
      const removed: ParticipantId[] = [];
      for (const id of request.remove ?? []) {
        assertParticipantId(id);
        if (id === this.identity) throw new TypeError('a member cannot commit its own removal');
        const leaf = roster.indexOf(id);
        if (leaf < 0) throw new TypeError('removal of a participant that is not a member');
        if (removed.includes(id)) throw new TypeError('participant removed twice');
        removed.push(id);
        proposals.push({ proposalType: 'remove', remove: { removed: leaf } });
      }
      const added: ParticipantId[] = [];
      for (const addition of request.add ?? []) {
        assertParticipantId(addition.identity);
        if (added.includes(addition.identity)) throw new TypeError('participant added twice');
        if (roster.includes(addition.identity) && !removed.includes(addition.identity)) throw new TypeError('participant is already a member');
        const keyPackage = checkedKeyPackage(addition.identity, addition.keyPackage);
        if (removed.includes(addition.identity) && !sameSigner(state, roster.indexOf(addition.identity), keyPackage)) {
          throw new MlsProtocolError('rejected', 'a re-added member must keep the signature key of its leaf');
        }
        added.push(addition.identity);
        proposals.push({ proposalType: 'add', add: { keyPackage } });
      }
      const result = await createCommit(
        { state, cipherSuite: this.#suite.impl },
        // The ratchet tree travels in the Welcome: the server holds no group state to serve it from.
        { extraProposals: proposals, ratchetTreeExtension: true },
      );
      const commitBytes = encodeMlsMessage(result.commit);
      this.#pending = { commitBytes, newState: result.newState, consumed: result.consumed, added, removed };
      this.#phase = 'pending';
      const output: MlsCommitOutput = { commit: commitBytes.slice(), epoch: epochToNumber(state.groupContext.epoch) };
      if (result.welcome === undefined) return output;
      return { ...output, welcome: encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: result.welcome }) };
    });
  }

  /** The server accepted our pending commit: move to its epoch. */
  applyPendingCommit(): Promise<void> {
    return this.#run(async () => {
      this.#applyPending();
    });
  }

  /** The server rejected our pending commit (another one won the epoch): forget it. */
  discardPendingCommit(): Promise<void> {
    return this.#run(async () => {
      this.#require('pending');
      this.#pending = undefined;
      this.#phase = 'active';
    });
  }

  /** Processes a commit relayed by the server (which may be our own pending one). */
  processCommit(commitBytes: Uint8Array): Promise<MlsCommitResult> {
    return this.#run(async (): Promise<MlsCommitResult> => {
      const state = this.#current();
      const pending = this.#pending;
      if (pending !== undefined && constantTimeEqual(commitBytes, pending.commitBytes)) {
        this.#applyPending();
        return { kind: 'applied', epoch: this.epoch, added: pending.added, removed: pending.removed, own: true, lostRace: false };
      }
      const message = decodeWholeMlsMessage(commitBytes);
      if (message.wireformat !== 'mls_private_message' && message.wireformat !== 'mls_public_message') {
        throw new MlsProtocolError('malformed', 'not a handshake message');
      }
      const header = message.wireformat === 'mls_private_message' ? message.privateMessage : message.publicMessage.content;
      if (header.contentType !== 'commit') throw new MlsProtocolError('malformed', 'not a commit');
      this.#checkGroupAndEpoch(state, header.groupId, header.epoch, 'commit');

      const policy = commitPolicy(state);
      let result: Awaited<ReturnType<typeof processMessage>>;
      try {
        result = await processMessage(message, state, emptyPskIndex, policy.callback, this.#suite.impl);
      } catch (cause) {
        throw new MlsProtocolError('rejected', 'commit refused', { cause });
      }
      if (result.kind !== 'newState') throw new MlsProtocolError('malformed', 'not a commit');
      if (result.actionTaken === 'reject') throw new MlsProtocolError('rejected', policy.violation() ?? 'commit refused by policy');

      const lostRace = pending !== undefined;
      this.#pending = undefined;
      if (result.newState.groupActiveState.kind === 'removedFromGroup') {
        this.#lastMembers = membersOf(state);
        this.#state = undefined;
        this.#phase = 'removed';
        return { kind: 'removed' };
      }
      this.#adopt(result.newState, result.consumed);
      this.#phase = 'active';
      return { kind: 'applied', epoch: this.epoch, added: policy.added, removed: policy.removed, own: false, lostRace };
    });
  }

  /** The SFrame base key of the current epoch (RFC 9605 section 5.2). */
  /**
   * The epoch's SFrame base key (RFC 9605 section 5.2): MLS-Exporter("SFrame 1.0 Base Key", "", length),
   * where length is the SFrame AEAD's key size Nk (16 for AES_128_GCM_SHA256_128). The length is
   * part of the exporter's input, so only the right one interoperates.
   */
  exportSFrameBaseKey(length: number): Promise<Uint8Array> {
    return this.#run(async () => {
      const state = this.#current();
      return mlsExporter(state.keySchedule.exporterSecret, SFRAME_EXPORTER_LABEL, new Uint8Array(0), length, this.#suite.impl);
    });
  }

  /** The code participants compare aloud; equal codes mean the same epoch with the same members. */
  securityCode(): string {
    return securityCodeFromAuthenticator(this.#current().keySchedule.epochAuthenticator);
  }

  /** Encrypts a chat payload as an MLS application message (PrivateMessage) of the current epoch. */
  encryptApplication(data: Uint8Array): Promise<Uint8Array> {
    return this.#run(async () => {
      const state = this.#current();
      const { newState, privateMessage, consumed } = await createApplicationMessage(state, data, this.#suite.impl);
      this.#adopt(newState, consumed);
      return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
    });
  }

  /**
   * Decrypts an application message of the current epoch, or of a recent one still retained (messages sent
   * just before a commit). Returns the sender's identity as authenticated by MLS.
   */
  decryptApplication(bytes: Uint8Array): Promise<MlsApplicationMessage> {
    return this.#run(async () => {
      const state = this.#current();
      const message = decodeWholeMlsMessage(bytes);
      if (message.wireformat !== 'mls_private_message' || message.privateMessage.contentType !== 'application') {
        throw new MlsProtocolError('malformed', 'not an application message');
      }
      const pm = message.privateMessage;
      if (!constantTimeEqual(pm.groupId, state.groupContext.groupId)) throw new MlsProtocolError('wrong-group', 'message for another group');
      if (pm.epoch > state.groupContext.epoch) throw new MlsProtocolError('future-epoch', 'application message from a later epoch');
      const current = pm.epoch === state.groupContext.epoch;
      const receiver = current
        ? { senderDataSecret: state.keySchedule.senderDataSecret, secretTree: state.secretTree, ratchetTree: state.ratchetTree, groupContext: state.groupContext }
        : state.historicalReceiverData.get(pm.epoch);
      if (receiver === undefined) throw new MlsProtocolError('stale-epoch', 'application message from an epoch no longer retained');
      let unprotected: Awaited<ReturnType<typeof unprotectPrivateMessage>>;
      try {
        unprotected = await unprotectPrivateMessage(
          receiver.senderDataSecret,
          pm,
          receiver.secretTree,
          receiver.ratchetTree,
          receiver.groupContext,
          state.clientConfig.keyRetentionConfig,
          this.#suite.impl,
        );
      } catch (cause) {
        throw new MlsProtocolError('rejected', 'application message refused', { cause });
      }
      const content = unprotected.content.content;
      if (content.contentType !== 'application' || content.sender.senderType !== 'member') {
        throw new MlsProtocolError('rejected', 'not an application message from a member');
      }
      const senderLeaf = receiver.ratchetTree[content.sender.leafIndex * 2];
      const sender = senderLeaf?.nodeType === 'leaf' ? participantIdOf(senderLeaf.leaf.credential) : undefined;
      if (sender === undefined) throw new MlsProtocolError('rejected', 'sender is not a participant');
      const newState: ClientState = current
        ? { ...state, secretTree: unprotected.tree }
        : {
            ...state,
            historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, {
              ...state.historicalReceiverData.get(pm.epoch)!,
              secretTree: unprotected.tree,
            }),
          };
      const data = content.applicationData.slice();
      this.#adopt(newState, unprotected.consumed);
      return { sender, data, epoch: epochToNumber(pm.epoch) };
    });
  }

  /** Drops all state; safe to call twice. */
  close(): void {
    this.#phase = 'closed';
    this.#state = undefined;
    this.#pending = undefined;
    this.#privateKeyPackage = undefined;
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    return this.#queue.run(operation);
  }

  #require(phase: MlsPhase): void {
    if (this.#phase !== phase) throw new MlsStateError(`operation needs phase ${phase}, member is ${this.#phase}`);
  }

  /** The current group state; only in the active and pending phases. */
  #current(): ClientState {
    if ((this.#phase !== 'active' && this.#phase !== 'pending') || this.#state === undefined) {
      throw new MlsStateError(`no group state in phase ${this.#phase}`);
    }
    return this.#state;
  }

  #enter(state: ClientState): void {
    this.#state = state;
    this.#phase = 'active';
  }

  #takePrivateKeyPackage(): PrivateKeyPackage {
    const keys = this.#privateKeyPackage;
    if (keys === undefined) throw new MlsStateError('KeyPackage already used');
    this.#privateKeyPackage = undefined;
    return keys;
  }

  #applyPending(): void {
    this.#require('pending');
    const pending = this.#pending!;
    const state = this.#current();
    // Chat processed while the commit was pending advanced the old epoch's secret tree: keep that progress
    // in the retained data of the old epoch, or those messages' consumed keys would come back.
    const history = new Map(pending.newState.historicalReceiverData);
    const previous = history.get(state.groupContext.epoch);
    if (previous !== undefined) history.set(state.groupContext.epoch, { ...previous, secretTree: state.secretTree });
    this.#pending = undefined;
    this.#adopt({ ...pending.newState, historicalReceiverData: history }, pending.consumed);
    this.#phase = 'active';
  }

  /** Takes `state` as current and wipes the secrets ts-mls reports as no longer needed. */
  #adopt(state: ClientState, consumed: Uint8Array[]): void {
    this.#state = state;
    for (const secret of consumed) zeroOutUint8Array(secret);
  }

  #checkGroupAndEpoch(state: ClientState, groupId: Uint8Array, epoch: bigint, what: string): void {
    if (!constantTimeEqual(groupId, state.groupContext.groupId)) throw new MlsProtocolError('wrong-group', `${what} for another group`);
    if (epoch < state.groupContext.epoch) throw new MlsProtocolError('stale-epoch', `${what} from an earlier epoch`);
    if (epoch > state.groupContext.epoch) throw new MlsProtocolError('future-epoch', `${what} from a later epoch`);
  }
}

