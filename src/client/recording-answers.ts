/**
 * The answers to one recording request, as a host or co-host's browser keeps them (recording-consent.ts uses it):
 * every host-ish browser follows them (the people panel shows waiting people's answers), and the asker's decides
 * from them whether everyone said yes. A sealed answer counts as trusted only if its proof opened here, from the
 * member the server names, for this request, with the consent the server relayed; one from the waiting room has
 * no proof and is taken on the server's word.
 *
 * A `joined` snapshot repeats the answers counted so far (docs/protocol.md 4.7), so that a browser that resumed
 * learns those it missed. An MLS message opens only once, so a repeated proof that opened here already is not
 * opened again: it stays believed as long as the consent beside it is the same.
 *
 * Inputs: reset(request) when the request changes (null: none); take(message, open) for each relayed answer.
 */
import type { ServerMessageOf } from '../protocol/index.ts';
import type { RecordingConsentMessage } from '../e2ee/session/index.ts';

export interface RecordingAnswer {
  readonly consent: boolean;
  /** A sealed answer that opened and agreed, or one from the waiting room (which has no proof). */
  readonly trusted: boolean;
  readonly waiting: boolean;
}

export type OpenProof = (from: string, proof: string) => Promise<RecordingConsentMessage | undefined>;

export class RecordingAnswers {
  #request: string | null = null;
  #answers = new Map<string, RecordingAnswer>();
  /** Proofs that opened here, by sender, with the consent they sealed. */
  #opened = new Map<string, { proof: string; consent: boolean }>();

  /** The request these answers are to, or null. */
  get request(): string | null {
    return this.#request;
  }

  get all(): ReadonlyMap<string, RecordingAnswer> {
    return this.#answers;
  }

  /** Forgets every answer; returns whether anything was forgotten or the request changed. */
  reset(request: string | null): boolean {
    const changed = this.#answers.size > 0 || request !== this.#request;
    this.#answers = new Map();
    this.#opened = new Map();
    this.#request = request;
    return changed;
  }

  /**
   * Checks and keeps one relayed answer. Returns how it was taken (null: not to the current request, or the
   * request changed while its proof was being opened), and whether its proof failed.
   */
  async take(message: ServerMessageOf<'recording-answer'>, open: OpenProof): Promise<{ answer: RecordingAnswer; problem: boolean } | null> {
    if (message.request !== this.#request) return null;
    let trusted = message.waiting;
    if (!message.waiting && message.proof !== undefined) {
      const seen = this.#opened.get(message.from);
      if (seen?.proof === message.proof) trusted = seen.consent === message.consent;
      else {
        const opened = await open(message.from, message.proof).catch(() => undefined);
        trusted = opened?.kind === 'answer' && opened.request === message.request && opened.consent === message.consent;
        if (trusted && message.request === this.#request) this.#opened.set(message.from, { proof: message.proof, consent: message.consent });
      }
    }
    if (message.request !== this.#request) return null;
    const answer: RecordingAnswer = { consent: message.consent, trusted, waiting: message.waiting };
    this.#answers.set(message.from, answer);
    return { answer, problem: !trusted };
  }
}
