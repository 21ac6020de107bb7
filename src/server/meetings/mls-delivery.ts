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
 *   requestResync(p, kp)     — member p fell behind and presents a fresh KeyPackage: a pending resync
 *   ack(p, epoch)            — p holds the keys of `epoch`
 *   readyEpoch(isLive)       — the current epoch, once, when every live member has acknowledged it
 * Rules: a commit is accepted only from a member, only at the current epoch, only
 * adding joined non-members that are pending and only removing members who have left.
 * A resync is the one exception to both: a member that asked to be re-added may be removed
 * and added by the same commit, and only so (its id in both `adds` and `removes`).
 * When the last member goes, the group is forgotten and the next one present makes a new one.
 *
 * Resync (docs/e2ee-mls.md): a member that missed a commit asks (`mls-resync`) for itself only;
 * until a commit re-adds it, it is not asked to commit and its acknowledgement is not awaited,
 * since its group state is behind. Requests are throttled per participant, across connections.
 */
import { MAX_BATCH, type MlsCommit } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import { TokenBucket, type BucketSpec } from '../security/rate-limiter.ts';
import type { Participant } from './participant.ts';

/**
 * Resync requests one participant may make, whatever its connections: a few in a row (a flaky network),
 * then one a minute. Each costs the committer a commit that everyone processes, so a member cannot make
 * the group churn faster than this. The per-connection limit of every message kind comes on top.
 */
export const RESYNC_REQUEST_LIMIT: BucketSpec = { rate: 1 / 60, burst: 3 };

export interface PendingResync {
  participantId: string;
  keyPackage: string;
}

export interface PendingWork {
  epoch: number;
  adds: { participantId: string; keyPackage: string }[];
  removes: string[];
  /** Present only when a member asked to be re-added. */
  resyncs?: PendingResync[];
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
  /** Members that asked to be re-added, with the fresh KeyPackage each presented. */
  private readonly resyncs = new Map<string, string>();
  /** Resync requests per participant id (kept after an accepted resync: the limit is over time). */
  private readonly resyncBuckets = new Map<string, TokenBucket>();

  constructor(private readonly now: () => number = Date.now) {}

  get epoch(): number {
    return this.epochValue;
  }

  get groupExists(): boolean {
    return this.exists;
  }

  isMember(participantId: string): boolean {
    return this.members.has(participantId);
  }

  /**
   * Member p says its group state is behind and presents a fresh KeyPackage. Returns 'unchanged' for the
   * same KeyPackage again (a retry after a lost reply), 'queued' when the committer has new work, and
   * 'group-reset' when p was the last member still in the meeting: nobody is left to re-add it, so the group
   * is forgotten, as when the last member leaves, and a new one is made.
   */
  requestResync(p: Participant, keyPackage: string): 'unchanged' | 'queued' | 'group-reset' {
    if (!this.exists || !this.members.has(p.id) || this.departed.has(p.id)) {
      throw new ProtocolError('invalid-state', 'only a member of the group can ask to be re-added');
    }
    if (this.resyncs.get(p.id) === keyPackage) return 'unchanged';
    let bucket = this.resyncBuckets.get(p.id);
    if (bucket === undefined) {
      bucket = new TokenBucket(RESYNC_REQUEST_LIMIT, this.now);
      this.resyncBuckets.set(p.id, bucket);
    }
    if (!bucket.take()) throw new ProtocolError('rate-limited', 'too many resync requests');
    if ([...this.members].every((id) => id === p.id || this.departed.has(id))) {
      this.forget();
      return 'group-reset';
    }
    // From now on it is not asked to commit, and nobody waits for its acknowledgement (readyEpoch).
    this.resyncs.set(p.id, keyPackage);
    return 'queued';
  }

  groupCreated(creator: Participant): void {
    if (this.exists) throw new ProtocolError('invalid-state', 'the group already exists');
    this.exists = true;
    this.epochValue = 0;
    this.members.clear();
    this.departed.clear();
    this.resyncs.clear();
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
    // A resync removes a member's old leaf and adds its fresh KeyPackage in one commit: both or neither,
    // and only for a member that asked. Nobody else may be removed while present or added while a member.
    const resynced = adds.filter((id) => removes.includes(id));
    for (const id of resynced) {
      if (id === committer.id) throw new ProtocolError('invalid-state', 'a member cannot commit its own removal');
      if (!this.resyncs.has(id)) throw new ProtocolError('invalid-state', 'a commit re-adds a member who did not ask to be re-added');
    }
    for (const id of adds) {
      if (resynced.includes(id)) continue;
      if (this.members.has(id) || !isPendingJoiner(id)) throw new ProtocolError('invalid-state', 'a commit adds someone who is not waiting to be added');
    }
    // Only members who have left may be removed: removing someone present is the host's `remove`, which makes them leave first.
    for (const id of removes) {
      if (resynced.includes(id)) continue;
      if (!this.departed.has(id)) throw new ProtocolError('invalid-state', 'a commit removes someone who has not left');
    }
    if (adds.length > 0 && commit.welcome === undefined) throw new ProtocolError('bad-message', 'a commit that adds needs a welcome');
    for (const id of removes) {
      if (resynced.includes(id)) continue;
      this.members.delete(id);
      this.departed.delete(id);
    }
    for (const id of adds) this.members.add(id);
    for (const id of resynced) this.resyncs.delete(id);
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
    for (const id of this.members) if (!this.departed.has(id) && !this.resyncs.has(id) && isLive(id) && !this.acked.has(id)) return undefined;
    this.readyAnnounced = true;
    return this.epochValue;
  }

  private newEpoch(): void {
    this.acked.clear();
    this.readyAnnounced = false;
  }

  /** A participant left the meeting. Returns true when the group is now empty and forgotten. */
  participantGone(participantId: string): boolean {
    // Participant ids are never reused: its resync allowance goes with it.
    this.resyncBuckets.delete(participantId);
    if (!this.members.has(participantId)) return false;
    // Its old leaf is now an ordinary pending remove; the fresh KeyPackage is never used.
    this.resyncs.delete(participantId);
    this.departed.add(participantId);
    if ([...this.members].every((id) => this.departed.has(id))) {
      this.forget();
      return true;
    }
    return false;
  }

  private forget(): void {
    this.exists = false;
    this.epochValue = 0;
    this.members.clear();
    this.departed.clear();
    this.resyncs.clear();
  }

  /** What the committer still has to do, given the joined participants. */
  pendingWork(joined: readonly Participant[]): PendingWork {
    const adds = joined
      .filter((p) => !this.members.has(p.id) && p.keyPackage !== undefined)
      .map((p) => ({ participantId: p.id, keyPackage: p.keyPackage! }));
    // One commit re-adds at most MAX_BATCH (the protocol's cap); the committer is asked again for the rest.
    const resyncs = [...this.resyncs].slice(0, MAX_BATCH).map(([participantId, keyPackage]) => ({ participantId, keyPackage }));
    return { epoch: this.epochValue, adds, removes: [...this.departed], ...(resyncs.length > 0 ? { resyncs } : {}) };
  }

  /** Whether `work` asks anything of the committer. */
  static hasWork(work: PendingWork): boolean {
    return work.adds.length > 0 || work.removes.length > 0 || (work.resyncs?.length ?? 0) > 0;
  }

  /**
   * The member who commits pending changes: the first connected member of `bySeniority`
   * (the meeting's order: host, co-hosts, participants). Any member may still commit;
   * this one is asked to. A member waiting to be re-added is behind: its commits would be stale.
   */
  chooseCommitter(bySeniority: readonly Participant[]): Participant | undefined {
    return bySeniority.find((p) => this.members.has(p.id) && !this.departed.has(p.id) && !this.resyncs.has(p.id) && p.connected);
  }
}
