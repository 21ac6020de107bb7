/**
 * Recording with everyone's consent: the server's side of it. A recording is made in one host's browser from
 * the media it decrypts, so the server can neither make nor stop one; what it can do is keep the state every
 * honest client follows, refuse to call a meeting "recording" without everyone's yes, and tell everyone who
 * records. It counts the answers it sees in clear; the sealed proofs beside them are for the asking host's
 * browser, which checks them (docs/threat-model.md "Recording").
 *
 * State machine (one per meeting). Inputs it accepts:
 *   ask(actor, request, proof)        idle → asking: a host or co-host asks (needs the MLS group, for the proof);
 *                                     the asker's own yes is implied
 *   answer(p, request, consent, proof) a joined person (sealed proof required) or one in the waiting room (no
 *                                     proof: not in the group yet) answers the current request. Asking: a joined
 *                                     no ends the request (→ idle, the hosts told who said no and who had not
 *                                     answered). Recording: a joined no withdraws consent and stops it (→ idle).
 *                                     A joined person answers once per request; a waiting one may change its mind
 *   start(actor, request)             asking → recording: only the asker, only if every joined person (hosts
 *                                     included) said yes to this request
 *   stop(actor)                       asking | recording → idle: the asker or any host or co-host
 *   participantGone(p)                the asker leaving ends either phase (→ idle); anyone's answer is forgotten
 *   timeout (RECORDING_CONSENT_TIMEOUT_MS after ask)  asking → idle, with everyone silent listed
 *   close()                           the meeting ended: timers off, state dropped
 * Queries: `status` (for everyone, and in `joined`), `needsConsent` (entrants go to the waiting room), and
 * `mayAdmit(p)` (a waiting person enters a recorded or asked meeting only after saying yes), and `answersSnapshot`
 * (what a host's snapshot repeats: each counted answer with its proof).
 *
 * Fan-out: an ask reaches each joined and waiting person once (an ask is only taken when idle); an answer
 * reaches the hosts and co-hosts (at most MAX_MEETING_HOSTS); a change of state reaches everyone joined once.
 */
import { RECORDING_CONSENT_TIMEOUT_MS, type RecordingStatus, type ServerMessage } from '../../protocol/index.ts';
import { ProtocolError, forbidden } from '../errors.ts';
import type { Participant } from './participant.ts';
import type { Roster } from './roster.ts';

/** An answer as the server counted it, with the sealed proof beside it (none from the waiting room, nor the asker's implied yes). */
interface CountedAnswer {
  readonly consent: boolean;
  readonly proof?: string;
}

type Answers = Map<string, CountedAnswer>;

export type RecordingPhase =
  | { readonly name: 'idle' }
  | { readonly name: 'asking'; readonly request: string; readonly by: Participant; readonly askedAt: number; readonly answers: Answers; readonly timer: NodeJS.Timeout }
  | { readonly name: 'recording'; readonly request: string; readonly by: Participant; readonly since: number; readonly answers: Answers };

export interface RecordingDeps {
  readonly roster: Pick<Roster, 'joined' | 'waiting' | 'broadcast' | 'sendToHosts' | 'requireJoined' | 'requireHostish' | 'isPresent'>;
  /** Sealed proofs exist only once the meeting has an MLS group. */
  groupExists(): boolean;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export class RecordingConsent {
  #phase: RecordingPhase = { name: 'idle' };
  readonly #deps: RecordingDeps;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(deps: RecordingDeps) {
    this.#deps = deps;
    this.#timeoutMs = deps.timeoutMs ?? RECORDING_CONSENT_TIMEOUT_MS;
    this.#now = deps.now ?? (() => Date.now());
  }

  get phase(): RecordingPhase {
    return this.#phase;
  }

  /** Entrants are asked in the waiting room while a recording is asked for or runs. */
  get needsConsent(): boolean {
    return this.#phase.name !== 'idle';
  }

  /** What everyone joined is shown. */
  get status(): RecordingStatus {
    const phase = this.#phase;
    switch (phase.name) {
      case 'idle':
        return { state: 'idle' };
      case 'asking': {
        const expiresInMs = Math.max(0, Math.min(this.#timeoutMs, phase.askedAt + this.#timeoutMs - this.#now()));
        return { state: 'asking', request: phase.request, by: phase.by.id, byName: phase.by.name, expiresInMs };
      }
      case 'recording':
        return { state: 'recording', request: phase.request, by: phase.by.id, byName: phase.by.name, since: phase.since };
    }
  }

  /** A waiting person may be admitted: nothing is asked for or recorded, or they said yes to it. */
  mayAdmit(p: Participant): boolean {
    return this.#phase.name === 'idle' || this.#phase.answers.get(p.id)?.consent === true;
  }

  // -------------------------------------------------------------------------
  // Inputs
  // -------------------------------------------------------------------------

  ask(actor: Participant, request: string, proof: string): void {
    this.#deps.roster.requireHostish(actor);
    if (!this.#deps.groupExists()) throw forbidden('recording consent needs the end-to-end encrypted group: there is none yet');
    if (this.#phase.name !== 'idle') throw new ProtocolError('invalid-state', 'a recording is already asked for or running');
    const timer = setTimeout(() => this.#expire(request), this.#timeoutMs);
    timer.unref();
    this.#phase = { name: 'asking', request, by: actor, askedAt: this.#now(), answers: new Map([[actor.id, { consent: true }]]), timer };
    this.#deps.roster.broadcast({ type: 'recording-ask', from: actor.id, request, proof, sentAt: this.#now() }, actor);
    this.#announce();
    for (const p of this.#deps.roster.waiting) this.askWaiting(p);
  }

  answer(p: Participant, request: string, consent: boolean, proof: string | undefined): void {
    const phase = this.#phase;
    const { roster } = this.#deps;
    const waiting = roster.isPresent(p) && p.state === 'waiting-room';
    if (!waiting) roster.requireJoined(p);
    if (phase.name === 'idle' || phase.request !== request) throw new ProtocolError('invalid-state', 'no such recording request');
    if (waiting && proof !== undefined) throw forbidden('an answer from the waiting room cannot be sealed');
    if (!waiting && proof === undefined) throw forbidden('an answer in the meeting must be sealed for the group');
    // Consent may always be withdrawn: a no while recording stops it, whatever was said before.
    const withdrawal = phase.name === 'recording' && !consent;
    if (!waiting && phase.answers.has(p.id) && !withdrawal) throw new ProtocolError('invalid-state', 'already answered');
    phase.answers.set(p.id, proof !== undefined ? { consent, proof } : { consent });
    roster.sendToHosts({ type: 'recording-answer', from: p.id, request, consent, waiting, ...(proof !== undefined ? { proof } : {}) });
    if (!waiting && !consent) this.#fail([p.id]);
  }

  start(actor: Participant, request: string): void {
    const phase = this.#phase;
    this.#deps.roster.requireHostish(actor);
    if (phase.name !== 'asking' || phase.request !== request) throw new ProtocolError('invalid-state', 'no such recording request');
    if (phase.by !== actor) throw forbidden('only the host who asked can start this recording');
    const missing = this.#deps.roster.joined.filter((o) => phase.answers.get(o.id)?.consent !== true);
    if (missing.length > 0) throw forbidden('not everyone in the meeting consented to this recording');
    clearTimeout(phase.timer);
    this.#phase = { name: 'recording', request, by: actor, since: this.#now(), answers: phase.answers };
    this.#announce();
  }

  stop(actor: Participant): void {
    const phase = this.#phase;
    this.#deps.roster.requireJoined(actor);
    if (phase.name === 'idle') throw new ProtocolError('invalid-state', 'nothing is being recorded or asked for');
    if (phase.by !== actor && !actor.isHostOrCohost) throw forbidden('only the recording host or a host can stop it');
    this.#toIdle();
  }

  /** Someone left the meeting or the waiting room (called for every departure). */
  participantGone(p: Participant): void {
    const phase = this.#phase;
    if (phase.name === 'idle') return;
    if (phase.by === p) this.#toIdle();
    else phase.answers.delete(p.id);
  }

  /** Tells a person in the waiting room that admission needs their yes (on entering it, and on each new ask). */
  askWaiting(p: Participant): void {
    const phase = this.#phase;
    if (phase.name === 'idle' || p.state !== 'waiting-room') return;
    p.send({ type: 'recording-consent-needed', request: phase.request, byName: phase.by.name, recording: phase.name === 'recording' });
  }

  /**
   * For a host's snapshot: every answer counted for the current request, as it was relayed (a joined person's
   * with its proof; one given in the waiting room without), so that a co-host promoted meanwhile, or the asker
   * after a resume, knows what the server counts and can check the proofs it missed. The asker's implied yes is
   * not an answer. At most one message per person present, each no larger than the answer it repeats.
   */
  answersSnapshot(): ServerMessage[] {
    const phase = this.#phase;
    if (phase.name === 'idle') return [];
    const { roster } = this.#deps;
    const messages: ServerMessage[] = [];
    for (const p of [...roster.joined, ...roster.waiting]) {
      const answer = phase.answers.get(p.id);
      if (answer === undefined || p === phase.by) continue;
      const { consent, proof } = answer;
      messages.push({ type: 'recording-answer', from: p.id, request: phase.request, consent, waiting: proof === undefined, ...(proof !== undefined ? { proof } : {}) });
    }
    return messages;
  }

  close(): void {
    if (this.#phase.name === 'asking') clearTimeout(this.#phase.timer);
    this.#phase = { name: 'idle' };
  }

  // -------------------------------------------------------------------------
  // Transitions
  // -------------------------------------------------------------------------

  #expire(request: string): void {
    if (this.#phase.name === 'asking' && this.#phase.request === request) this.#fail([]);
  }

  /** The request (or recording) ends for want of consent: hosts learn who said no and who never answered. */
  #fail(declined: string[]): void {
    const phase = this.#phase;
    if (phase.name === 'idle') return;
    const unanswered = this.#deps.roster.joined.filter((o) => !phase.answers.has(o.id)).map((o) => o.id);
    this.#toIdle();
    this.#deps.roster.sendToHosts({ type: 'recording-outcome', request: phase.request, declined, unanswered });
  }

  #toIdle(): void {
    if (this.#phase.name === 'asking') clearTimeout(this.#phase.timer);
    this.#phase = { name: 'idle' };
    this.#announce();
  }

  #announce(): void {
    this.#deps.roster.broadcast({ type: 'recording-state', recording: this.status });
  }
}
