/**
 * Keeping our member in step with the group as the server orders it: getting in (our KeyPackage, a group of
 * our own when there is none, a Welcome), the `joined` snapshot (our epoch reconciled with the server's), and
 * each commit the server relays. Falling behind hands over to resync.ts; making commits is committer.ts's.
 *
 * Inputs, each within a turn of the session's queue (what each does: E2eeSession's handleWaiting,
 * handleJoined, handleCommit and handleWelcome in the header of session.ts):
 *   waiting(waiting)      learn our participant id; send our KeyPackage
 *   joined(joined)        learn our id; create the group, ask to be added or re-added, or reconcile our epoch
 *   commit(mls-commit)    process another member's commit; one from a later epoch: resync
 *   welcome(mls-welcome)  join the group; ends a resync
 */
import type { ClientMessage, ServerMessageOf } from '../../protocol/messages.ts';
import { MlsProtocolError, type MlsMember } from '../mls/index.ts';
import { fromBase64 } from './base64.ts';
import type { Committer } from './committer.ts';
import type { EpochKeys } from './epoch-keys.ts';
import type { Membership } from './membership.ts';
import type { Resync } from './resync.ts';
import { submitCommit } from './server-verdict.ts';
import type { ReportProblem } from './session-types.ts';

/** What following the group needs of the session's other parts. */
export interface GroupFollowerContext {
  /** The MLS group id: a Welcome into another meeting's group is refused. */
  readonly meetingId: string;
  readonly send: (message: ClientMessage) => Promise<unknown>;
  readonly membership: Membership;
  readonly keys: Pick<EpochKeys, 'install' | 'drop'>;
  readonly committer: Pick<Committer, 'applyIfAccepted' | 'settleFromSnapshot' | 'doPendingWork'>;
  readonly resync: Pick<Resync, 'active' | 'start' | 'request' | 'end'>;
  readonly report: ReportProblem;
}

export class GroupFollower {
  readonly #context: GroupFollowerContext;

  constructor(context: GroupFollowerContext) {
    this.#context = context;
  }

  async waiting(message: ServerMessageOf<'waiting'>): Promise<void> {
    this.#setSelf(message.participantId);
    await this.#context.membership.sendKeyPackage();
  }

  async joined(message: ServerMessageOf<'joined'>): Promise<void> {
    const { membership, resync } = this.#context;
    this.#setSelf(message.self.participantId);
    const member = await membership.ensureMember();
    switch (member.phase) {
      case 'fresh':
        if (resync.active && message.mls.groupExists) await resync.request();
        else if (message.mls.groupExists) await membership.sendKeyPackage();
        else {
          // Nobody was left to re-add us: the server forgot the group, and we make the new one.
          resync.end();
          await this.#createGroup(member);
        }
        return;
      case 'active':
      case 'pending':
        await this.#reconcile(member, message.mls.epoch);
        return;
      case 'removed':
        // Still in the meeting but out of the group: start again with a new KeyPackage.
        await this.#restartMember();
        return;
      case 'closed':
        return;
    }
  }

  async commit(message: ServerMessageOf<'mls-commit'>): Promise<void> {
    const { membership, keys, committer } = this.#context;
    const member = membership.inGroup;
    if (member === undefined) return;
    // A commit made one epoch past ours means the server accepted our pending one without us hearing it.
    await committer.applyIfAccepted(member, message.mls.epoch);
    let result: Awaited<ReturnType<MlsMember['processCommit']>>;
    try {
      result = await member.processCommit(fromBase64(message.mls.commit));
    } catch (error) {
      if (error instanceof MlsProtocolError && error.code === 'stale-epoch') return; // a duplicate
      // From a later epoch, as the server names it too: we missed a commit (the server relays in order, so it
      // was sent while we were away). Bytes that claim a later epoch than the server names are just bad.
      if (error instanceof MlsProtocolError && error.code === 'future-epoch' && message.mls.epoch > member.epoch) await this.#context.resync.start(member);
      else this.#context.report('commit-rejected');
      return;
    }
    if (result.kind === 'removed') {
      keys.drop();
      this.#context.report('removed');
      return;
    }
    await keys.install(member);
    await committer.doPendingWork();
  }

  async welcome(message: ServerMessageOf<'mls-welcome'>): Promise<void> {
    const member = this.#context.membership.member;
    if (member === undefined || member.phase !== 'fresh') return;
    try {
      await member.joinFromWelcome(fromBase64(message.welcome), this.#context.meetingId);
    } catch {
      this.#context.report('welcome-rejected');
      return;
    }
    if (member.epoch !== message.epoch) this.#context.report('desynchronized');
    this.#context.resync.end();
    await this.#context.keys.install(member);
    await this.#context.committer.doPendingWork();
  }

  #setSelf(id: string): void {
    const self = this.#context.membership.self;
    // A new participant id is a new person to the server: nothing of the old MLS state applies.
    if (self !== undefined && self !== id) this.#forgetMember();
    this.#context.membership.self = id;
  }

  async #createGroup(member: MlsMember): Promise<void> {
    await member.createGroup(this.#context.meetingId);
    const verdict = await submitCommit(this.#context.send, { type: 'mls-group-created' });
    if (verdict === 'ok') {
      await this.#context.keys.install(member);
      return;
    }
    // Someone else's group won (or the verdict was lost): ours is a ghost; join theirs with a new KeyPackage.
    await this.#restartMember();
  }

  async #restartMember(): Promise<void> {
    this.#forgetMember();
    await this.#context.membership.sendKeyPackage();
  }

  /** Our member and its keys go: nothing of them applies any more. */
  #forgetMember(): void {
    this.#context.membership.forget();
    this.#context.keys.drop();
  }

  /** Compares our epoch with the server's after a (re)join snapshot. */
  async #reconcile(member: MlsMember, serverEpoch: number): Promise<void> {
    await this.#context.committer.settleFromSnapshot(member, serverEpoch);
    // Commits were relayed while we were away: the server does not replay them, we are re-added instead.
    if (member.epoch !== serverEpoch) {
      await this.#context.resync.start(member);
      return;
    }
    await this.#context.committer.doPendingWork();
  }
}
