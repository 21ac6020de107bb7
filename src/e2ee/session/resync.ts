/**
 * Falling behind never forks the group silently (docs/e2ee-mls.md "Resynchronisation"). Whenever the session
 * learns that the group went on without us (a `joined` snapshot after a resume naming another epoch, a relayed
 * commit from a later epoch, a lost commit of ours that was accepted after all), it resyncs: a fresh member
 * (MlsMember.rejoining: same credential and signature key, new KeyPackage) sends `mls-resync`, the chosen
 * committer removes our old leaf and adds the new KeyPackage in one commit, and we join from its Welcome.
 * Meanwhile the old epoch's keys stay in the worker (nothing better exists), and we are not a committer.
 * Only if the server refuses the request (too many) is `desynchronized` reported.
 *
 * Inputs, each within a turn of the session's queue:
 *   start(previous)   we fell behind: replace our member with a fresh one and ask to be re-added
 *   request()         ask (again: a `joined` snapshot after the reply was lost)
 *   end()             re-added (the Welcome), or nobody was left to re-add us (we make the group anew)
 */
import type { ClientMessage } from '../../protocol/messages.ts';
import { MlsMember } from '../mls/index.ts';
import { toBase64 } from './base64.ts';
import type { Membership } from './membership.ts';
import { refusalCode } from './server-verdict.ts';
import type { ReportProblem } from './session-types.ts';

/** What resynchronising needs of the session. */
export interface ResyncContext {
  readonly membership: Pick<Membership, 'member' | 'replace' | 'sendKeyPackage'>;
  readonly send: (message: ClientMessage) => Promise<unknown>;
  /** Drops the work we were given as committer (committer.ts). */
  readonly forgetCommits: () => void;
  /** The `resync` event: true when we start, false when it ends. */
  readonly onChange: (resyncing: boolean) => void;
  readonly report: ReportProblem;
}

export class Resync {
  readonly #context: ResyncContext;
  /** Our member is a fresh one (MlsMember.rejoining) waiting for the Welcome that re-adds us. */
  #active = false;

  constructor(context: ResyncContext) {
    this.#context = context;
  }

  /** True from the moment we found we fell behind until the Welcome that re-adds us is processed. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * We fell behind the group: a fresh member with our signature key asks to be re-added (`mls-resync`). The
   * old member's keys stay in the worker until the Welcome brings the new ones; work we were given as
   * committer is dropped (the server asks another member while we resync).
   */
  async start(previous: MlsMember): Promise<void> {
    if (previous.phase === 'pending') await previous.discardPendingCommit();
    const fresh = await MlsMember.rejoining(previous);
    previous.close();
    this.#context.membership.replace(fresh);
    this.#context.forgetCommits();
    this.#active = true;
    this.#context.onChange(true);
    await this.request();
  }

  async request(): Promise<void> {
    const member = this.#context.membership.member;
    if (member === undefined || member.phase !== 'fresh' || !this.#active) return;
    try {
      await this.#context.send({ type: 'mls-resync', keyPackage: toBase64(member.keyPackageBytes()) });
    } catch (error) {
      const code = refusalCode(error);
      if (code === 'invalid-state') {
        // The server no longer counts us as a member: be added like anyone else, with the same KeyPackage.
        this.end();
        await this.#context.membership.sendKeyPackage();
      } else if (code !== undefined) {
        // Refused (too many requests, or we are no longer in the meeting): we cannot follow the group now.
        this.#context.report('desynchronized');
      }
      // Verdict lost (connection dropped): the next `joined` snapshot, after the resume, asks again.
    }
  }

  end(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#context.onChange(false);
  }
}
