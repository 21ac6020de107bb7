/**
 * TEST-ONLY: a delivery service that attacks the group the way a compromised Sabha server could. It relays
 * the waiting room's KeyPackages to the host, but swaps a waiting person's KeyPackage for one of its own
 * (a "ghost" MLS member it controls, with the right participant id and an identity key of its own), and it
 * can show the real person a split view: a second group that it runs, with a fake host under the host's
 * participant id. It cannot forge anyone's device identity binding, so its ghosts carry its own keys.
 */
import { ephemeralDeviceIdentity, type DeviceIdentity } from '../../src/e2ee/identity/device-identity.ts';
import { MlsMember } from '../../src/e2ee/mls/member.ts';
import type { MlsSuite } from '../../src/e2ee/mls/suite.ts';

export interface WaitingKeyPackage {
  readonly participantId: string;
  readonly keyPackage: Uint8Array;
}

export class MaliciousDeliveryService {
  readonly #suite: MlsSuite;
  /** The server's own identity key: all it can bind ghosts to. */
  #serverIdentity: DeviceIdentity | undefined;
  readonly ghosts = new Map<string, MlsMember>();

  constructor(suite: MlsSuite) {
    this.#suite = suite;
  }

  async #identity(): Promise<DeviceIdentity> {
    this.#serverIdentity ??= await ephemeralDeviceIdentity();
    return this.#serverIdentity;
  }

  /** What the host receives for `waiting`: the real KeyPackage, except for `victim`, whose is the ghost's. */
  async relayWaitingRoom(waiting: readonly WaitingKeyPackage[], victim: string): Promise<WaitingKeyPackage[]> {
    const out: WaitingKeyPackage[] = [];
    for (const entry of waiting) {
      if (entry.participantId !== victim) {
        out.push(entry);
        continue;
      }
      const ghost = await MlsMember.create(victim, { suite: this.#suite, deviceIdentity: await this.#identity() });
      this.ghosts.set(victim, ghost);
      out.push({ participantId: victim, keyPackage: ghost.keyPackageBytes() });
    }
    return out;
  }

  /**
   * The split view for the real victim: a group the server runs, created by a fake member under the host's
   * participant id, which adds the victim's real KeyPackage. Returns the fake host (the victim's Welcome
   * has been processed by `victim`).
   */
  async splitView(hostId: string, groupId: string, victim: MlsMember): Promise<MlsMember> {
    const fakeHost = await MlsMember.create(hostId, { suite: this.#suite, deviceIdentity: await this.#identity() });
    await fakeHost.createGroup(groupId);
    const output = await fakeHost.commit({ add: [{ identity: victim.identity, keyPackage: victim.keyPackageBytes() }] });
    await fakeHost.applyPendingCommit();
    if (output.welcome === undefined) throw new Error('an add commit has a Welcome');
    await victim.joinFromWelcome(output.welcome, groupId);
    return fakeHost;
  }
}
