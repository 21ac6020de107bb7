/**
 * The meeting's side of the MLS delivery service: MlsDelivery (mls-delivery.ts) decides what is valid, this
 * routes what follows to the participants concerned. Commits go to the other members, welcomes to those
 * added, the list of pending work to the one member chosen to commit it, and `mls-epoch-ready` to the
 * members once all of them hold an epoch's keys. Commits and welcomes are opaque bytes here too.
 */
import type { MlsCommit, ServerMessage } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import { MlsDelivery } from './mls-delivery.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';

export class MlsRelay {
  readonly #roster: Roster;
  readonly #mls: MlsDelivery;
  readonly #sendSnapshot: (p: Participant) => void;

  /** `sendSnapshot`: tells a participant the whole meeting again, which says whether a group exists. */
  constructor(roster: Roster, mls: MlsDelivery, sendSnapshot: (p: Participant) => void) {
    this.#roster = roster;
    this.#mls = mls;
    this.#sendSnapshot = sendSnapshot;
  }

  setKeyPackage(p: Participant, keyPackage: string): void {
    if (p.state === 'gone') throw new ProtocolError('not-in-meeting', 'not in a meeting');
    if (this.#mls.isMember(p.id)) throw new ProtocolError('invalid-state', 'already a member of the group');
    if (p.keyPackage === keyPackage) return; // the same one again: nobody needs it twice
    p.keyPackage = keyPackage;
    if (p.state === 'joined') this.updateWork();
    // Someone waiting for the host is not listed yet: their KeyPackage goes out with them when they are.
    else if (p.state === 'waiting-room') this.#roster.waitingRoomChanged({ updated: [p] });
  }

  groupCreated(p: Participant): void {
    this.#roster.requireJoined(p);
    if (this.#roster.joined.some((o) => this.#mls.isMember(o.id))) throw new ProtocolError('invalid-state', 'the group already exists');
    this.#mls.groupCreated(p);
    this.updateWork();
  }

  /**
   * A member whose group state fell behind (it missed a commit) asks, for itself, to be re-added with a fresh
   * KeyPackage: the chosen committer is asked to remove its old leaf and add that KeyPackage in one commit
   * (docs/e2ee-mls.md, "Resynchronisation"). Had everyone else left, the group is made anew instead.
   */
  resync(p: Participant, keyPackage: string): void {
    this.#roster.requireJoined(p);
    const outcome = this.#mls.requestResync(p, keyPackage);
    if (outcome === 'group-reset') this.#sendSnapshot(p);
    if (outcome !== 'unchanged') this.updateWork();
  }

  commit(p: Participant, mls: MlsCommit, adds: readonly string[], removes: readonly string[]): void {
    this.#roster.requireJoined(p);
    const isPendingJoiner = (id: string) => {
      const o = this.#roster.get(id);
      return o !== undefined && o.state === 'joined' && o.keyPackage !== undefined;
    };
    const epoch = this.#mls.acceptCommit(p, mls, adds, removes, isPendingJoiner);
    this.#relayCommit(p, mls, epoch, adds.map((id) => this.#roster.get(id)!));
    this.updateWork();
  }

  /**
   * The commit that adds people being admitted from the waiting room (the caller checked they are there):
   * validated and relayed before they join, so that admission and the commit are one step, both or neither.
   */
  admitCommit(actor: Participant, mls: MlsCommit, people: readonly Participant[]): void {
    for (const p of people) if (p.keyPackage === undefined) throw new ProtocolError('invalid-state', 'a KeyPackage is missing');
    const ids = people.map((p) => p.id);
    const epoch = this.#mls.acceptCommit(actor, mls, ids, [], (id) => people.some((p) => p.id === id));
    this.#relayCommit(actor, mls, epoch, people);
  }

  #relayCommit(committer: Participant, mls: MlsCommit, newEpoch: number, added: readonly Participant[]): void {
    // A KeyPackage is used once: it must not be offered again for a later add.
    for (const p of added) p.keyPackage = undefined;
    const relayed: ServerMessage = { type: 'mls-commit', mls: { epoch: mls.epoch, commit: mls.commit }, committer: committer.id };
    for (const o of this.#roster.joined) {
      if (o !== committer && this.#mls.isMember(o.id) && !added.includes(o)) o.send(relayed);
    }
    if (mls.welcome !== undefined) for (const o of added) o.send({ type: 'mls-welcome', welcome: mls.welcome, epoch: newEpoch });
  }

  /** A member holds the keys of `epoch`: once every connected member does, senders may use them. */
  epochAck(p: Participant, epoch: number): void {
    this.#roster.requireJoined(p);
    this.#mls.ack(p.id, epoch);
    this.announceEpochReady();
  }

  /**
   * Tells the members, once per epoch, that every connected member holds the current epoch's keys, so that
   * senders switch to them now rather than after their fallback delay (src/e2ee/worker/key-timing.ts).
   * One message to each member per epoch, whoever's acknowledgement completed it.
   */
  announceEpochReady(): void {
    const epoch = this.#mls.readyEpoch((id) => {
      const o = this.#roster.get(id);
      return o !== undefined && o.state === 'joined' && o.connected;
    });
    if (epoch === undefined) return;
    for (const o of this.#roster.joined) if (this.#mls.isMember(o.id)) o.send({ type: 'mls-epoch-ready', epoch });
  }

  /** Tells the chosen committer what is left to commit (if anything), after any epoch-ready now due. */
  updateWork(): void {
    this.announceEpochReady();
    if (!this.#mls.groupExists) return;
    const work = this.#mls.pendingWork(this.#roster.joined);
    if (!MlsDelivery.hasWork(work)) return;
    this.#mls.chooseCommitter(this.#roster.bySeniority(this.#roster.joined))?.send({ type: 'mls-pending', ...work });
  }
}
