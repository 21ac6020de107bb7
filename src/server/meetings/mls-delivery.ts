/**
 * The MLS delivery service of one meeting. It orders commits (exactly one per
 * epoch), keeps track of which participants the group's commits say are members,
 * and works out what the chosen committer still has to do. It never sees a key:
 * commits and welcomes are opaque bytes to it.
 *
 * Inputs it accepts:
 *   groupCreated(p)          — the first member made a new group at epoch 0
 *   acceptCommit(p, c, a, r) — a member's commit made at epoch c.epoch, adding a and removing r
 *   participantGone(p)       — p left or was removed: a pending remove if p is a member
 *   keyPackageChanged()      — a joined non-member's KeyPackage arrived: a pending add
 *   ack(p, epoch)            — p holds the keys of `epoch`
 *   readyEpoch(isLive)       — the current epoch, once, when every live member has acknowledged it
 * Rules: a commit is accepted only from a member, only at the current epoch, only
 * adding joined non-members that are pending and only removing members who have left.
 * When the last member goes, the group is forgotten and the next one present makes a new one.
 */
import type { MlsCommit } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import type { Participant } from './participant.ts';

export interface PendingWork {
  epoch: number;
  adds: { participantId: string; keyPackage: string }[];
  removes: string[];
}

export class MlsDelivery {
  private epochValue = 0;
  private exists = false;
  /** Participants the accepted commits made members, by id. */
  private readonly members = new Set<string>();
  /** Members that have left the meeting but are still in the group's tree. */
  private readonly departed = new Set<string>();
  /** Members that acknowledged the current epoch (they hold its keys). */
  private readonly acked = new Set<string>();
  private readyAnnounced = false;

  get epoch(): number {
    return this.epochValue;
  }

  get groupExists(): boolean {
    return this.exists;
  }

  isMember(participantId: string): boolean {
    return this.members.has(participantId);
  }

  groupCreated(creator: Participant): void {
    if (this.exists) throw new ProtocolError('invalid-state', 'the group already exists');
    this.exists = true;
    this.epochValue = 0;
    this.members.clear();
    this.departed.clear();
    this.members.add(creator.id);
    this.newEpoch();
  }

  /**
   * Validates and applies a commit's membership changes. Returns the new epoch.
   * `present(id)` tells whether a participant is joined and has a KeyPackage.
   */
  acceptCommit(
    committer: Participant,
    commit: MlsCommit,
    adds: readonly string[],
    removes: readonly string[],
    isPendingJoiner: (id: string) => boolean,
  ): number {
    if (!this.exists || !this.members.has(committer.id)) throw new ProtocolError('forbidden', 'only group members may commit');
    if (commit.epoch !== this.epochValue) {
      throw new ProtocolError('stale-epoch', `the current epoch is ${this.epochValue}`);
    }
    if (new Set(adds).size !== adds.length || new Set(removes).size !== removes.length) {
      throw new ProtocolError('bad-message', 'duplicate participants in a commit');
    }
    for (const id of adds) {
      if (this.members.has(id) || !isPendingJoiner(id)) throw new ProtocolError('invalid-state', 'a commit adds someone who is not waiting to be added');
    }
    // Only members who have left may be removed: removing someone present is the host's `remove`, which makes them leave first.
    for (const id of removes) {
      if (!this.departed.has(id)) throw new ProtocolError('invalid-state', 'a commit removes someone who has not left');
    }
    if (adds.length > 0 && commit.welcome === undefined) throw new ProtocolError('bad-message', 'a commit that adds needs a welcome');
    for (const id of removes) {
      this.members.delete(id);
      this.departed.delete(id);
    }
    for (const id of adds) this.members.add(id);
    this.epochValue += 1;
    this.newEpoch();
    return this.epochValue;
  }

  /** A member says it holds the keys of `epoch`; acknowledgements of other epochs mean nothing now. */
  ack(participantId: string, epoch: number): void {
    if (epoch === this.epochValue && this.members.has(participantId)) this.acked.add(participantId);
  }

  /**
   * The current epoch, when every member still here and connected (`isLive`) holds its keys and this was
   * not said before: senders may then switch to it without anyone dropping their frames. A member that
   * left or lost its connection does not hold the others up.
   */
  readyEpoch(isLive: (id: string) => boolean): number | undefined {
    if (!this.exists || this.readyAnnounced) return undefined;
    for (const id of this.members) if (!this.departed.has(id) && isLive(id) && !this.acked.has(id)) return undefined;
    this.readyAnnounced = true;
    return this.epochValue;
  }

  private newEpoch(): void {
    this.acked.clear();
    this.readyAnnounced = false;
  }

  /** A participant left the meeting. Returns true when the group is now empty and forgotten. */
  participantGone(participantId: string): boolean {
    if (!this.members.has(participantId)) return false;
    this.departed.add(participantId);
    if ([...this.members].every((id) => this.departed.has(id))) {
      this.exists = false;
      this.epochValue = 0;
      this.members.clear();
      this.departed.clear();
      return true;
    }
    return false;
  }

  /** What the committer still has to do, given the joined participants. */
  pendingWork(joined: readonly Participant[]): PendingWork {
    const adds = joined
      .filter((p) => !this.members.has(p.id) && p.keyPackage !== undefined)
      .map((p) => ({ participantId: p.id, keyPackage: p.keyPackage! }));
    return { epoch: this.epochValue, adds, removes: [...this.departed] };
  }

  /**
   * The member who commits pending changes: the first connected member of `bySeniority`
   * (the meeting's order: host, co-hosts, participants). Any member may still commit;
   * this one is asked to.
   */
  chooseCommitter(bySeniority: readonly Participant[]): Participant | undefined {
    return bySeniority.find((p) => this.members.has(p.id) && !this.departed.has(p.id) && p.connected);
  }
}
