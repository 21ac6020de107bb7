/**
 * The epoch whose media keys are in use, and the session state that follows from it: 'no-key' until we hold
 * the keys of an epoch, then 'ready'; 'no-key' again when they are dropped (a commit removed us, we start
 * again), and 'closed' for good. At each new epoch the SFrame keys are derived (sframe-keys.ts) and pushed to
 * the worker, and `epoch` is reported with the security code.
 *
 * Keys at a new epoch: the receive keys are used at once, the send key only once every member has the new
 * keys before our first frame under them: the session acknowledges each epoch (`mls-epoch-ack`) once the
 * worker has its receive keys (isCurrent), the server says when every connected member has
 * (`mls-epoch-ready`: activateSendKey), and we switch then, or after SEND_KEY_DELAY_MS at the latest
 * (src/e2ee/worker/key-timing.ts). With no valid send key (first epoch, re-added) it is used at once.
 */
import type { MlsMember } from '../mls/index.ts';
import { SEND_KEY_DELAY_MS } from '../worker/key-timing.ts';
import type { E2eeEpochInfo, E2eeState } from './session-types.ts';
import { deriveEpochKeys } from './sframe-keys.ts';
import type { WorkerLink } from './worker-link.ts';

export class EpochKeys {
  readonly #worker: WorkerLink;
  readonly #onEpoch: (info: E2eeEpochInfo) => void;
  readonly #onState: (state: E2eeState) => void;
  #state: E2eeState = 'no-key';
  #epoch: number | undefined;
  #securityCode: string | undefined;

  constructor(worker: WorkerLink, onEpoch: (info: E2eeEpochInfo) => void, onState: (state: E2eeState) => void) {
    this.#worker = worker;
    this.#onEpoch = onEpoch;
    this.#onState = onState;
  }

  get state(): E2eeState {
    return this.#state;
  }

  /** The epoch whose keys are in use, if any. */
  get epoch(): number | undefined {
    return this.#epoch;
  }

  /** The code participants compare aloud for the current epoch, once keyed. */
  get securityCode(): string | undefined {
    return this.#securityCode;
  }

  /** Whether `epoch` is the one whose keys are in use (the worker's report on it is acknowledged). */
  isCurrent(epoch: number): boolean {
    return epoch === this.#epoch && this.#state === 'ready';
  }

  /** Derives the keys of `member`'s epoch (phase active or pending) and gives them to the worker. */
  async install(member: MlsMember): Promise<void> {
    const keys = await deriveEpochKeys(member);
    // Already sending under an earlier epoch: keep it until every member can have this one's keys.
    this.#worker.setKeys(keys, this.#epoch === undefined ? 0 : SEND_KEY_DELAY_MS);
    // When the worker says these receive keys are installed, we acknowledge the epoch (`mls-epoch-ack`): once
    // every connected member has, everyone switches their sending to it at once (`mls-epoch-ready`), and the
    // delay above is only the fallback.
    keys.send.key.fill(0);
    for (const k of keys.receive) k.key.fill(0);
    const previous = this.#epoch;
    this.#epoch = keys.epoch;
    this.#securityCode = member.securityCode();
    if (previous !== keys.epoch || this.#state !== 'ready') {
      this.#onEpoch({ epoch: keys.epoch, securityCode: this.#securityCode, members: member.members() });
    }
    this.#setState('ready');
  }

  /** Every connected member holds the keys of `epoch`: switch our sending to it now (if it is ours). */
  activateSendKey(epoch: number): void {
    if (this.#epoch !== undefined && epoch <= this.#epoch) this.#worker.activateSendKey(epoch);
  }

  drop(): void {
    if (this.#epoch !== undefined) this.#worker.dropKeys();
    this.#epoch = undefined;
    this.#securityCode = undefined;
    this.#setState('no-key');
  }

  /** For good; the session closes the worker itself. */
  close(): void {
    this.#state = 'closed';
    this.#securityCode = undefined;
    this.#onState('closed');
  }

  #setState(state: E2eeState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.#onState(state);
  }
}
