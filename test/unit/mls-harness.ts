/**
 * Test harness for the MLS wrapper: an in-memory delivery service that, like Sabha's server, accepts the
 * first commit made at the current epoch and rejects the rest, and a meeting that relays its verdicts. Also
 * KeyPackages made with ts-mls directly, for the tests whose committer or client skips Sabha's checks.
 */
import assert from 'node:assert/strict';
import { encodeMlsMessage, generateKeyPackageWithKey, type Capabilities, type KeyPackage, type PrivateKeyPackage } from 'ts-mls';
import { bindIdentity } from '../../src/e2ee/identity/binding.ts';
import { ephemeralDeviceIdentity } from '../../src/e2ee/identity/device-identity.ts';
import { MlsMember, type MlsCommitOutput, type MlsCommitResult } from '../../src/e2ee/mls/member.ts';
import { SABHA_CIPHERSUITE, loadMlsSuite, type MlsSuite } from '../../src/e2ee/mls/suite.ts';

/** Deterministic participant ids: the server hands out 16 hex characters. */
export function participantId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** What Sabha's members advertise. */
const RAW_CAPABILITIES: Capabilities = { versions: ['mls10'], ciphersuites: [SABHA_CIPHERSUITE], extensions: [], proposals: [], credentials: ['basic'] };

export interface RawKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
  /** The KeyPackage as an MLS message, as a client announces it. */
  readonly bytes: Uint8Array;
}

/**
 * A KeyPackage made with ts-mls directly for a fresh MLS signature key, valid from an hour ago to an hour from
 * now, whose basic credential's identity is whatever `identityBytes` makes of that key.
 */
export async function rawKeyPackageWithIdentity(
  suite: MlsSuite,
  identityBytes: (signaturePublicKey: Uint8Array) => Promise<Uint8Array>,
): Promise<RawKeyPackage> {
  const cs = suite.impl;
  const now = BigInt(Math.floor(Date.now() / 1000));
  const signatureKeys = await cs.signature.keygen();
  const credential = { credentialType: 'basic' as const, identity: await identityBytes(signatureKeys.publicKey) };
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(credential, RAW_CAPABILITIES, { notBefore: now - 3600n, notAfter: now + 3600n }, [], signatureKeys, cs);
  return { publicPackage, privatePackage, bytes: encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: publicPackage }) };
}

/** A KeyPackage made with ts-mls directly for `id`, bound to a fresh device identity: Sabha's members refuse any other. */
export function rawKeyPackage(suite: MlsSuite, id: string): Promise<RawKeyPackage> {
  return rawKeyPackageWithIdentity(suite, async (signaturePublicKey) => bindIdentity(id, signaturePublicKey, await ephemeralDeviceIdentity()));
}

export class DeliveryService {
  epoch = 0;
  readonly log: Uint8Array[] = [];

  /** Accepts the commit if it was made at the current epoch. */
  submit(output: MlsCommitOutput): boolean {
    if (output.epoch !== this.epoch) return false;
    this.epoch += 1;
    this.log.push(output.commit);
    return true;
  }
}

export class Meeting {
  readonly ds = new DeliveryService();
  readonly members = new Map<string, MlsMember>();
  readonly suite: MlsSuite;
  readonly groupId: string;

  private constructor(suite: MlsSuite, groupId: string) {
    this.suite = suite;
    this.groupId = groupId;
  }

  static async start(creator: string, suite?: MlsSuite, groupId = 'meeting-under-test'): Promise<Meeting> {
    const meeting = new Meeting(suite ?? (await loadMlsSuite()), groupId);
    const member = await MlsMember.create(creator, { suite: meeting.suite });
    await member.createGroup(groupId);
    meeting.members.set(creator, member);
    return meeting;
  }

  member(id: string): MlsMember {
    const m = this.members.get(id);
    assert.ok(m, `no member ${id}`);
    return m;
  }

  /**
   * `committer` commits the admissions and removals; the delivery service accepts it; every member
   * (including the committer, through the relay) processes it, joiners join from the Welcome.
   */
  async change(
    committer: string,
    add: readonly string[],
    remove: readonly string[],
    notRelayedTo: readonly string[] = [],
  ): Promise<Map<string, MlsCommitResult>> {
    const joiners = await Promise.all(add.map((id) => MlsMember.create(id, { suite: this.suite })));
    const output = await this.member(committer).commit({
      add: joiners.map((j) => ({ identity: j.identity, keyPackage: j.keyPackageBytes() })),
      remove,
    });
    assert.equal(this.ds.submit(output), true, 'delivery service accepts a commit made at its epoch');
    const results = await this.relay(output.commit, notRelayedTo);
    for (const joiner of joiners) {
      assert.ok(output.welcome, 'a commit that adds has a Welcome');
      await joiner.joinFromWelcome(output.welcome, this.groupId);
      this.members.set(joiner.identity, joiner);
    }
    return results;
  }

  /** Relays an accepted commit to every member; removed members leave the meeting. */
  async relay(commit: Uint8Array, except: readonly string[] = []): Promise<Map<string, MlsCommitResult>> {
    const results = new Map<string, MlsCommitResult>();
    for (const [id, member] of this.members) {
      if (except.includes(id)) continue;
      const result = await member.processCommit(commit);
      results.set(id, result);
      if (result.kind === 'removed') this.members.delete(id);
    }
    return results;
  }

  /** Asserts that every member is at the same epoch with the same roster, SFrame key and security code. */
  async assertAgreement(): Promise<void> {
    const all = [...this.members.values()];
    const first = all[0];
    assert.ok(first);
    const key = Buffer.from(await first.exportSFrameBaseKey(16)).toString('hex');
    for (const m of all) {
      assert.equal(m.epoch, this.ds.epoch, `${m.identity} is at the delivery service's epoch`);
      assert.deepEqual(m.members(), first.members(), `${m.identity} has the same roster`);
      assert.equal(Buffer.from(await m.exportSFrameBaseKey(16)).toString('hex'), key, `${m.identity} derives the same SFrame base key`);
      assert.equal(m.securityCode(), first.securityCode(), `${m.identity} shows the same security code`);
      assert.equal(m.members()[m.ownLeafIndex], m.identity, `${m.identity} finds itself at its own leaf`);
    }
  }
}
