/**
 * Recording with everyone's consent, as this browser follows it (docs/protocol.md 4.7). It holds no connection:
 * the Room feeds it server messages through handle* methods and gives it `request` and the meeting's encryption;
 * the web layer listens to its events and makes the recording itself (src/web/meeting/recording/).
 *
 * Inputs it accepts:
 *   handleJoined(joined)         the snapshot's recording state; asked at once if a request or recording runs that
 *                                we have not answered (we entered with the host link, without the waiting room)
 *   handleMessage(m)             recording-state, recording-ask (opened: a prompt only for a sealed ask from the host
 *                                the server names), recording-consent-needed (waiting room: asked in clear),
 *                                recording-answer (hosts and co-hosts: opened and checked against the clear
 *                                answer, for the current request; the snapshot repeats those counted so far),
 *                                recording-outcome (hosts: who declined, who never answered)
 *   handleRosterChanged()        people came or went: the asker checks again whether everyone said yes
 *   ask() / answer(yes) / start() / stop() / withdraw()   what the person does
 *   clear()                      the meeting is over for us
 * Output: `status` (for the indicator), `asked` and `prompt-closed` (the consent dialog), `answers`,
 * `all-consented` (to the asker only, once every person present gave a yes it could verify), `outcome`, `problem`.
 *
 * The asker counts an answer from a member only if its sealed proof opens, from that member, for this request,
 * with the same consent the server relayed: a server that invents a yes is not believed. An answer given in the
 * waiting room has no proof (the person is not in the group yet) and is taken on the server's word.
 */
import type { ServerMessageOf } from '../protocol/index.ts';
import { Emitter } from '../events/emitter.ts';
import type { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import type { OutgoingMessage } from './signalling-client.ts';
import { RecordingAnswers, type RecordingAnswer } from './recording-answers.ts';

export type RecordingView =
  | { readonly state: 'idle' }
  /** `deadline`: this browser's clock, when unanswered requests end. */
  | { readonly state: 'asking'; readonly request: string; readonly by: string; readonly byName: string; readonly deadline: number }
  | { readonly state: 'recording'; readonly request: string; readonly by: string; readonly byName: string };

export interface ConsentPrompt {
  readonly request: string;
  readonly byName: string;
  /** A recording runs already (asked on arrival), rather than a request to start one. */
  readonly recording: boolean;
  /** Asked in the waiting room: the answer goes in clear. */
  readonly waiting: boolean;
  /** This browser's clock; absent in the waiting room, where there is no time limit. */
  readonly deadline?: number;
}

export type { RecordingAnswer } from './recording-answers.ts';

export interface RecordingConsentEvents {
  status: [view: RecordingView];
  asked: [prompt: ConsentPrompt];
  'prompt-closed': [];
  /** Hosts: the answers to the current request, by participant id. */
  answers: [answers: ReadonlyMap<string, RecordingAnswer>];
  /** To the host who asked: everyone present said yes; start the recorder, then call start(). */
  'all-consented': [request: string];
  /** Hosts: a request or recording ended for want of consent. */
  outcome: [outcome: { readonly declined: readonly string[]; readonly unanswered: readonly string[] }];
  /** A sealed ask or answer that did not open or disagreed with what the server said: not believed. */
  problem: [problem: { readonly from: string; readonly kind: 'ask' | 'answer' }];
}

export interface RecordingConsentOptions {
  readonly request: (message: OutgoingMessage) => Promise<unknown>;
  readonly encryption: () => MeetingEncryption | null;
  readonly selfId: () => string | null;
  /** Participant ids in the meeting now (self included). */
  readonly people: () => Iterable<string>;
  readonly now?: () => number;
}

type RecordingMessage = ServerMessageOf<'recording-state' | 'recording-ask' | 'recording-consent-needed' | 'recording-answer' | 'recording-outcome'>;

/** 16 random bytes as 22 characters of base64url: a request id nobody can guess or collide with. */
function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class RecordingConsent extends Emitter<RecordingConsentEvents> {
  readonly #options: RecordingConsentOptions;
  readonly #now: () => number;
  #view: RecordingView = { state: 'idle' };
  #prompt: ConsentPrompt | null = null;
  /** Requests we answered (so a snapshot does not ask again). */
  readonly #answered = new Set<string>();
  /** Our own request. */
  #asked: string | null = null;
  /** The answers to the current request (recording-answers.ts). */
  readonly #answers = new RecordingAnswers();
  #allConsentedFor: string | null = null;
  /** The latest ask whose sealed proof opened, from the host who sealed it. */
  #verifiedAsk: { request: string; from: string } | null = null;

  constructor(options: RecordingConsentOptions) {
    super();
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
  }

  get view(): RecordingView {
    return this.#view;
  }

  get prompt(): ConsentPrompt | null {
    return this.#prompt;
  }

  get answers(): ReadonlyMap<string, RecordingAnswer> {
    return this.#answers.all;
  }

  /** Whether this browser is the one recording (the server says we record). */
  get recordingHere(): boolean {
    return this.#view.state === 'recording' && this.#view.by === this.#options.selfId();
  }

  // -------------------------------------------------------------------------
  // Inputs
  // -------------------------------------------------------------------------

  handleJoined(message: ServerMessageOf<'joined'>): void {
    const status = message.recording ?? { state: 'idle' as const };
    this.#setStatus(status);
    if (status.state === 'idle' || status.by === message.self.participantId || this.#answered.has(status.request)) return;
    this.#ask({ request: status.request, byName: status.byName, recording: status.state === 'recording', waiting: false, ...this.#deadlineOf(status) });
  }

  handleMessage(message: RecordingMessage): void {
    switch (message.type) {
      case 'recording-state':
        this.#setStatus(message.recording);
        return;
      case 'recording-ask':
        void this.#openAsk(message);
        return;
      case 'recording-consent-needed':
        if (this.#answered.has(message.request)) return; // asked again after a resume: answered already
        this.#ask({ request: message.request, byName: message.byName, recording: message.recording, waiting: true });
        return;
      case 'recording-answer':
        void this.#takeAnswer(message);
        return;
      case 'recording-outcome':
        if (message.request === this.#asked) this.emit('outcome', { declined: message.declined, unanswered: message.unanswered });
        return;
    }
  }

  handleRosterChanged(): void {
    this.#checkAllConsented();
  }

  // -------------------------------------------------------------------------
  // Actions
  // -------------------------------------------------------------------------

  /** Host or co-host: asks everyone; our own yes is implied. */
  async ask(): Promise<void> {
    const request = newRequestId();
    const proof = await this.#encryption().sealRecordingConsent({ kind: 'ask', request });
    this.#asked = request;
    this.#resetAnswers(request);
    this.#allConsentedFor = null;
    await this.#options.request({ type: 'recording-ask', request, proof });
  }

  /** Answers the open prompt: sealed in the meeting, in clear from the waiting room. */
  async answer(consent: boolean): Promise<void> {
    const prompt = this.#prompt;
    if (!prompt) return;
    this.#closePrompt();
    this.#answered.add(prompt.request);
    if (prompt.waiting) {
      await this.#options.request({ type: 'recording-answer', request: prompt.request, consent });
      return;
    }
    const proof = await this.#encryption().sealRecordingConsent({ kind: 'answer', request: prompt.request, consent });
    await this.#options.request({ type: 'recording-answer', request: prompt.request, consent, proof });
  }

  /** A participant takes back their yes while a recording runs: the server stops it. */
  async withdraw(): Promise<void> {
    const view = this.#view;
    if (view.state !== 'recording') return;
    const proof = await this.#encryption().sealRecordingConsent({ kind: 'answer', request: view.request, consent: false });
    await this.#options.request({ type: 'recording-answer', request: view.request, consent: false, proof });
  }

  /** The host who asked, once `all-consented` came and its recorder runs: the meeting shows as recorded. */
  async start(): Promise<void> {
    if (this.#view.state !== 'asking' || this.#asked !== this.#view.request) throw new TypeError('no request of ours to start');
    await this.#options.request({ type: 'recording-start', request: this.#view.request });
  }

  /** The recorder or a host: stops the recording, or withdraws a request. */
  async stop(): Promise<void> {
    await this.#options.request({ type: 'recording-stop' });
  }

  clear(): void {
    this.#closePrompt();
    this.#setStatus({ state: 'idle' });
    this.#asked = null;
    this.#resetAnswers(null);
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  #setStatus(status: ServerMessageOf<'recording-state'>['recording']): void {
    const view: RecordingView =
      status.state === 'idle'
        ? { state: 'idle' }
        : status.state === 'asking'
          ? { state: 'asking', request: status.request, by: status.by, byName: status.byName, deadline: this.#deadlineOf(status).deadline }
          : { state: 'recording', request: status.request, by: status.by, byName: status.byName };
    this.#view = view;
    // Answers belong to one request: a new one, or none, forgets them.
    const current = view.state === 'idle' ? null : view.request;
    if (current !== this.#answers.request) this.#resetAnswers(current);
    // A prompt for a request that is over closes (a waiting person's stays while the recording runs).
    const prompt = this.#prompt;
    if (prompt && (view.state === 'idle' || view.request !== prompt.request) && !prompt.waiting) this.#closePrompt();
    if (view.state === 'idle' && prompt?.waiting) this.#closePrompt();
    this.emit('status', view);
    this.#promptForVerifiedAsk();
    this.#checkAllConsented();
  }

  #deadlineOf(status: { state: string; expiresInMs?: number }): { deadline: number } {
    return { deadline: this.#now() + (status.state === 'asking' ? (status.expiresInMs ?? 0) : 0) };
  }

  /** The server relays the ask before the state that names it: whichever comes second raises the prompt. */
  async #openAsk(message: ServerMessageOf<'recording-ask'>): Promise<void> {
    const opened = await this.#encryption()
      .openRecordingConsent(message.from, message.proof)
      .catch(() => undefined);
    if (opened?.kind !== 'ask' || opened.request !== message.request) {
      this.emit('problem', { from: message.from, kind: 'ask' });
      return;
    }
    this.#verifiedAsk = { request: message.request, from: message.from };
    this.#promptForVerifiedAsk();
  }

  #promptForVerifiedAsk(): void {
    const view = this.#view;
    const ask = this.#verifiedAsk;
    if (!ask || view.state !== 'asking' || view.request !== ask.request || view.by !== ask.from) return;
    if (this.#answered.has(ask.request) || this.#prompt?.request === ask.request) return;
    this.#ask({ request: ask.request, byName: view.byName, recording: false, waiting: false, deadline: view.deadline });
  }

  /** Any host or co-host follows the answers (the people panel shows waiting people's); only the asker starts. */
  async #takeAnswer(message: ServerMessageOf<'recording-answer'>): Promise<void> {
    const taken = await this.#answers.take(message, (from, proof) => this.#encryption().openRecordingConsent(from, proof));
    if (!taken) return;
    if (taken.problem) this.emit('problem', { from: message.from, kind: 'answer' });
    this.emit('answers', this.#answers.all);
    this.#checkAllConsented();
  }

  #checkAllConsented(): void {
    const view = this.#view;
    const self = this.#options.selfId();
    if (view.state !== 'asking' || view.by !== self || view.request !== this.#asked || this.#allConsentedFor === view.request) return;
    for (const id of this.#options.people()) {
      if (id === self) continue;
      const answer = this.#answers.all.get(id);
      if (!answer?.consent || !answer.trusted) return;
    }
    this.#allConsentedFor = view.request;
    this.emit('all-consented', view.request);
  }

  #resetAnswers(request: string | null): void {
    if (this.#answers.reset(request)) this.emit('answers', this.#answers.all);
  }

  #ask(prompt: ConsentPrompt): void {
    this.#prompt = prompt;
    this.emit('asked', prompt);
  }

  #closePrompt(): void {
    if (!this.#prompt) return;
    this.#prompt = null;
    this.emit('prompt-closed');
  }

  #encryption(): MeetingEncryption {
    const encryption = this.#options.encryption();
    if (!encryption) throw new TypeError('not in a meeting');
    return encryption;
  }
}
