/**
 * Our commits: the batch the server asks of the chosen committer (`mls-pending`: adds, removes and resyncs,
 * ONE commit, `mls-commit`), a host's admission (`admit` carrying the commit that adds them), and what becomes
 * of each on the server's verdict (server-verdict.ts): applied on `ok`, discarded on any refusal, and after a
 * lost race (`stale-epoch`) the batch is tried again at the next epoch with what is still to do.
 *
 * A commit never wedges the session. One the server refused, or that never left (the protocol schema refuses
 * it, e.g. an `admit` of more than MAX_BATCH people), is discarded at once. One whose verdict was lost
 * (timeout, connection lost) stays pending, since the server may have accepted it: a relayed commit, a
 * `joined` snapshot or an `mls-pending` one epoch past ours settles it. Because a round trip is part of its
 * turn in the session's queue, a commit still pending when a turn starts is always one whose verdict was lost,
 * and the next commit we need (admit, pending work) discards it first. Had the server accepted it after all,
 * the next epoch the server names shows that we fell behind (settleLostVerdict: resync).
 *
 * Every method runs within a turn of the session's queue, except offer().
 */
import { MAX_BATCH, type ClientMessage, type ServerMessageOf, type WaitingEntry } from '../../protocol/messages.ts';
import type { MlsMember } from '../mls/index.ts';
import { fromBase64 } from './base64.ts';
import { keyPackageMatches, resyncMatches, type AnnouncedKeyPackage } from './identity-checks.ts';
import type { Membership } from './membership.ts';
import { commitPayload, submitCommit, type CommitVerdict } from './server-verdict.ts';
import type { ReportProblem } from './session-types.ts';

type PendingWork = Pick<ServerMessageOf<'mls-pending'>, 'epoch' | 'adds' | 'removes' | 'resyncs'>;

/** What the committer needs of the session. */
export interface CommitterContext {
  readonly membership: Pick<Membership, 'self' | 'member' | 'inGroup'>;
  readonly send: (message: ClientMessage) => Promise<unknown>;
  /** Gives the keys of `member`'s new epoch to the worker (epoch-keys.ts). */
  readonly rekey: (member: MlsMember) => Promise<void>;
  /** We fell behind: be re-added (resync.ts). */
  readonly resync: (member: MlsMember) => Promise<void>;
  readonly report: ReportProblem;
}

export class Committer {
  readonly #context: CommitterContext;
  #work: PendingWork | undefined;
  /** The epoch at which we gave up a commit whose verdict was lost (see #discardLostVerdict). */
  #lostVerdictDiscardedAt: number | undefined;

  constructor(context: CommitterContext) {
    this.#context = context;
  }

  /**
   * Takes the work of an `mls-pending`. The newest work replaces older work at once (not in turn), so that
   * several `mls-pending` arriving while we are busy become one batched commit.
   */
  offer(message: ServerMessageOf<'mls-pending'>): void {
    if (this.#work === undefined || message.epoch >= this.#work.epoch) {
      this.#work = { epoch: message.epoch, adds: message.adds, removes: message.removes, ...(message.resyncs ? { resyncs: message.resyncs } : {}) };
    }
  }

  /** We are resyncing: the server asks another member meanwhile, and a lost commit of ours no longer matters. */
  forget(): void {
    this.#work = undefined;
    this.#lostVerdictDiscardedAt = undefined;
  }

  /** Commits the work we were given, if any is left to do at our epoch. */
  async doPendingWork(): Promise<void> {
    const member = this.#context.membership.inGroup;
    const self = this.#context.membership.self;
    const work = this.#work;
    if (member === undefined || work === undefined) return;
    // Work announced for a later epoch waits for the commits that lead there.
    if (work.epoch > member.epoch) return;
    this.#work = undefined;
    const roster = member.members();
    // At most MAX_BATCH of each per commit (the protocol's cap); the server asks again for the rest.
    // A resync (remove a member's leaf, add its fresh KeyPackage) is only valid at the epoch it was asked in:
    // once the roster moved on, the member may already have been re-added. Each counts as an add and a remove.
    const resyncs: AnnouncedKeyPackage[] = [];
    if (work.epoch === member.epoch) {
      for (const r of work.resyncs ?? []) if (resyncs.length < MAX_BATCH && (await resyncMatches(member, self, r, this.#context.report))) resyncs.push(r);
    }
    const room = MAX_BATCH - resyncs.length;
    const candidates = work.adds.filter((a) => a.participantId !== self && !roster.includes(a.participantId));
    const adds: typeof candidates = [];
    for (const a of candidates) if (adds.length < room && (await keyPackageMatches(a, this.#context.report))) adds.push(a);
    const removes = work.removes.filter((id) => id !== self && roster.includes(id)).slice(0, room);
    if (adds.length === 0 && removes.length === 0 && resyncs.length === 0) return;
    await this.#discardLostVerdict(member);
    const readded = [...adds, ...resyncs];
    const removed = [...removes, ...resyncs.map((r) => r.participantId)];
    const output = await member.commit({
      add: readded.map((a) => ({ identity: a.participantId, keyPackage: fromBase64(a.keyPackage) })),
      remove: removed,
    });
    const verdict = await submitCommit(this.#context.send, {
      type: 'mls-commit',
      mls: commitPayload(output),
      adds: readded.map((a) => a.participantId),
      removes: removed,
    });
    await this.#settle(member, verdict);
    // The batch is capped, so only an oversized commit (or a bug) gets here: it must not pass unseen.
    if (verdict === 'unsent') this.#context.report('internal');
    // Lost the race: keep what we tried, to redo (filtered again) once the winning commit is processed,
    // unless the server has told us something newer meanwhile.
    if (verdict === 'stale' && this.#work === undefined) this.#work = { ...work, epoch: member.epoch };
  }

  /**
   * One attempt at admitting waiting people with the commit that adds their KeyPackages (from `entries`).
   * Without a group of our own, a plain `admit`. Throws (TypeError) if someone has no KeyPackage yet or a
   * KeyPackage carries another id.
   */
  async admitOnce(participantIds: readonly string[], entries: readonly WaitingEntry[]): Promise<CommitVerdict> {
    const member = this.#context.membership.member;
    if (member === undefined || member.phase === 'fresh') {
      return submitCommit(this.#context.send, { type: 'admit', participantIds: [...participantIds] });
    }
    if (member.phase === 'pending') await this.#discardLostVerdict(member);
    if (member.phase !== 'active') throw new Error('cannot commit now: we left the group');
    const add: { identity: string; keyPackage: Uint8Array }[] = [];
    for (const id of participantIds) {
      const keyPackage = entries.find((e) => e.participantId === id)?.keyPackage;
      if (keyPackage === undefined) throw new TypeError('a waiting participant has no KeyPackage yet');
      if (!(await keyPackageMatches({ participantId: id, keyPackage }, this.#context.report))) {
        throw new TypeError('a KeyPackage does not carry the participant id it was announced with');
      }
      add.push({ identity: id, keyPackage: fromBase64(keyPackage) });
    }
    const output = await member.commit({ add });
    const verdict = await submitCommit(this.#context.send, { type: 'admit', participantIds: [...participantIds], mls: commitPayload(output) });
    await this.#settle(member, verdict);
    return verdict;
  }

  /**
   * The server names `serverEpoch` as its current one (a relayed commit made there, say): one past ours with
   * a commit of ours pending means it accepted ours, so we apply it. Returns whether we did.
   */
  async applyIfAccepted(member: MlsMember, serverEpoch: number): Promise<boolean> {
    if (member.phase !== 'pending' || serverEpoch !== member.epoch + 1) return false;
    await member.applyPendingCommit();
    await this.#context.rekey(member);
    return true;
  }

  /** A `joined` snapshot names the server's epoch: our pending commit was accepted (apply) or not (discard). */
  async settleFromSnapshot(member: MlsMember, serverEpoch: number): Promise<void> {
    if (!(await this.applyIfAccepted(member, serverEpoch)) && member.phase === 'pending') await member.discardPendingCommit();
  }

  /** An `mls-pending` names the server's epoch; one past ours, with no other commit relayed, means it took ours. */
  async settleLostVerdict(serverEpoch: number): Promise<void> {
    const member = this.#context.membership.member;
    if (member === undefined || (await this.applyIfAccepted(member, serverEpoch))) return;
    if (member.phase === 'active' && this.#lostVerdictDiscardedAt === member.epoch && serverEpoch > member.epoch) {
      // The commit we gave up on had been accepted: the group went on without us.
      this.#lostVerdictDiscardedAt = undefined;
      await this.#context.resync(member);
    }
  }

  /** Applies our pending commit on `ok`, drops it on a refusal or when it never left, keeps it when the verdict is lost. */
  async #settle(member: MlsMember, verdict: CommitVerdict): Promise<void> {
    if (member.phase !== 'pending') return;
    if (verdict === 'ok') {
      // The server was still at our epoch: a commit given up there had not been accepted.
      this.#lostVerdictDiscardedAt = undefined;
      await member.applyPendingCommit();
      await this.#context.rekey(member);
    } else if (verdict === 'stale' || verdict === 'refused' || verdict === 'unsent') {
      await member.discardPendingCommit();
      if (verdict === 'refused') this.#context.report('commit-refused');
    }
    // 'unknown': a relayed commit, a joined snapshot or an mls-pending tells (applyIfAccepted,
    // settleFromSnapshot, settleLostVerdict); the next commit we need discards it (#discardLostVerdict).
  }

  /** A commit still pending at the start of a turn lost its verdict: give it up so that the next one can go. */
  async #discardLostVerdict(member: MlsMember): Promise<void> {
    if (member.phase !== 'pending') return;
    await member.discardPendingCommit();
    this.#lostVerdictDiscardedAt = member.epoch;
  }
}
