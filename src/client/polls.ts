/**
 * Polls as this browser sees them, built from opened poll messages (src/e2ee/session/polls.ts). It holds no
 * connection: the Room feeds it through handle* methods and gives it `send`, which seals a poll message and
 * sends it (`to`: to that person alone); tests drive it alone.
 *
 * Inputs it accepts:
 *   handlePoll(message)   an opened poll message with its MLS-authenticated sender (roles and names come from
 *                         the roster callbacks: a sender not in the meeting is ignored)
 *   open(draft)           host or co-host: asks everyone; we own the poll and tally its answers
 *   answer(id, choices)   our answer, to the poll's owner alone; may be changed until the poll closes
 *   close(id) / share(id) owner: no more answers / everyone gets the counts
 *   retain(ids)           the people still in the meeting: polls of owners who left are closed
 *   reannounce()          members joined the group: our open polls are sent again, for them
 *   clear()               the meeting is over for us
 * Output: `changed` (every poll, oldest first, as views), `opened` (someone else's new poll), `refused` (a
 * poll message its sender may not send, or that does not fit the poll).
 *
 * Per poll: open → closed (terminal). What a receiver accepts:
 *   poll-open     only from a host or co-host, once per id (a re-sent poll changes nothing)
 *   poll-answer   only to us, for a poll we own that is open, from someone in the meeting, with option
 *                 indexes in range (exactly one for a single-choice poll); the latest answer of each member wins
 *   poll-close    only from the poll's owner
 *   poll-results  only from the poll's owner, one count per option, no count above the number who answered
 *                 (for a single-choice poll the counts add up to it); it closes the poll too
 *
 * Anonymous polls: the sender of every MLS message is authenticated, so the owner's client does learn who
 * answered. To count each member once and let them change their answer it keeps who chose what in memory
 * while the poll is open, never shows it, and drops it at close, keeping only the counts. A modified client
 * could keep it (docs/threat-model.md "Polls").
 */
import { MAX_POLL_OPTIONS, isPollMessageAllowed, type E2eePollMessage, type PollMessage } from '../e2ee/session/index.ts';
import { Emitter } from '../events/emitter.ts';
import type { Role } from '../protocol/index.ts';
import { SignallingError } from './signalling-client.ts';

/** Polls one browser keeps; past this, the oldest closed ones are forgotten. */
export const MAX_POLLS_KEPT = 50;

export interface PollDraft {
  readonly question: string;
  readonly options: readonly string[];
  readonly multiple: boolean;
  readonly anonymous: boolean;
}

export interface PollTally {
  /** How many chose each option. */
  readonly counts: readonly number[];
  /** How many people answered. */
  readonly voters: number;
  /** Named polls only: the names of those who chose each option (as the roster named them when they answered). */
  readonly names?: readonly (readonly string[])[];
}

export interface PollView extends PollDraft {
  readonly id: string;
  /** Who asked (participant id). */
  readonly owner: string;
  readonly state: 'open' | 'closed';
  /** We asked it: `tally` is ours. */
  readonly own: boolean;
  /** Our answer, if we gave one. */
  readonly myChoices: readonly number[] | null;
  /** The owner's live count (our own polls only). */
  readonly tally: PollTally | null;
  /** The counts the owner shared with everyone, once shared. */
  readonly shared: { readonly counts: readonly number[]; readonly voters: number } | null;
}

export interface PollsEvents {
  changed: [polls: readonly PollView[]];
  /** Someone else opened a poll (the UI tells people). */
  opened: [poll: PollView];
  refused: [refusal: { from: string; kind: PollMessage['kind'] }];
}

export interface PollsOptions {
  /** Seals a poll message and sends it; `to`: to that participant only. Rejects if the server refuses it. */
  readonly send: (poll: PollMessage, to?: string) => Promise<void>;
  readonly selfId: () => string | null;
  /** The roster's role of a participant; undefined: not in the meeting. */
  readonly roleOf: (participantId: string) => Role | undefined;
  readonly nameOf: (participantId: string) => string | undefined;
  /** Random bytes for poll ids (crypto.getRandomValues by default). */
  readonly random?: (bytes: Uint8Array<ArrayBuffer>) => void;
}

interface Poll {
  readonly id: string;
  readonly owner: string;
  readonly draft: PollDraft;
  state: 'open' | 'closed';
  myChoices: readonly number[] | null;
  /** Our own polls while open: each member's latest answer (and, for named polls, the name it answered under). */
  answers: Map<string, { choices: readonly number[]; name: string | undefined }> | null;
  /** Our own polls once closed: the final tally (an anonymous poll's answers are gone by then). */
  final: PollTally | null;
  shared: { counts: readonly number[]; voters: number } | null;
}

const mayAsk = (role: Role | undefined) => role === 'host' || role === 'cohost';

export class Polls extends Emitter<PollsEvents> {
  readonly #options: PollsOptions;
  readonly #polls = new Map<string, Poll>();

  constructor(options: PollsOptions) {
    super();
    this.#options = options;
  }

  /** Every poll, oldest first. */
  get list(): readonly PollView[] {
    return [...this.#polls.values()].map((p) => this.#view(p));
  }

  get(id: string): PollView | undefined {
    const poll = this.#polls.get(id);
    return poll && this.#view(poll);
  }

  // -------------------------------------------------------------------------
  // What others send
  // -------------------------------------------------------------------------

  handlePoll(message: E2eePollMessage): void {
    const { from, poll } = message;
    const role = this.#options.roleOf(from);
    if (role === undefined) return; // not (or no longer) in the meeting
    const refuse = () => this.emit('refused', { from, kind: poll.kind });
    const known = this.#polls.get(poll.poll);
    switch (poll.kind) {
      case 'poll-open': {
        if (!mayAsk(role)) return refuse();
        if (known) return known.owner === from ? undefined : refuse(); // a re-sent poll, or someone else's id
        const { question, options, multiple, anonymous } = poll;
        const created: Poll = { id: poll.poll, owner: from, draft: { question, options, multiple, anonymous }, state: 'open', myChoices: null, answers: null, final: null, shared: null };
        this.#add(created);
        this.emit('opened', this.#view(created));
        return;
      }
      case 'poll-answer': {
        const self = this.#options.selfId();
        if (!known || self === null || known.owner !== self || message.to !== self || known.state !== 'open' || !known.answers) return refuse();
        if (!fitsPoll(known.draft, poll.choices)) return refuse();
        known.answers.set(from, { choices: [...poll.choices].sort((a, b) => a - b), name: known.draft.anonymous ? undefined : this.#options.nameOf(from) });
        this.#changed();
        return;
      }
      case 'poll-close':
        if (!known || known.owner !== from) return refuse();
        if (known.state === 'open') {
          known.state = 'closed';
          this.#changed();
        }
        return;
      case 'poll-results': {
        if (!known || known.owner !== from || !resultsFit(known.draft, poll.counts, poll.voters)) return refuse();
        known.state = 'closed';
        known.shared = { counts: [...poll.counts], voters: poll.voters };
        this.#changed();
        return;
      }
    }
  }

  // -------------------------------------------------------------------------
  // What we do
  // -------------------------------------------------------------------------

  /** Host or co-host: asks everyone; resolves with the new poll's id once the server relayed it. */
  async open(draft: PollDraft): Promise<string> {
    const self = this.#options.selfId();
    if (self === null || !mayAsk(this.#options.roleOf(self))) throw new SignallingError('forbidden', 'only hosts and co-hosts ask polls');
    const id = this.#newId();
    const message: PollMessage = { kind: 'poll-open', poll: id, question: draft.question.trim(), options: draft.options.map((o) => o.trim()), multiple: draft.multiple, anonymous: draft.anonymous };
    if (!isPollMessageAllowed(message)) throw new TypeError('poll question or options not allowed');
    const { question, options, multiple, anonymous } = message;
    this.#add({ id, owner: self, draft: { question, options, multiple, anonymous }, state: 'open', myChoices: null, answers: new Map(), final: null, shared: null });
    try {
      await this.#options.send(message);
    } catch (err) {
      this.#polls.delete(id);
      this.#changed();
      throw err;
    }
    return id;
  }

  /** Our answer (option indexes), to the poll's owner alone. Answering again replaces it, until the poll closes. */
  async answer(id: string, choices: readonly number[]): Promise<void> {
    const poll = this.#polls.get(id);
    const self = this.#options.selfId();
    if (!poll || poll.state !== 'open' || self === null) throw new SignallingError('invalid-state', 'the poll is not open');
    const sorted = [...new Set(choices)].sort((a, b) => a - b);
    if (sorted.length !== choices.length || !fitsPoll(poll.draft, sorted)) throw new TypeError('choices do not fit the poll');
    const previous = poll.myChoices;
    poll.myChoices = sorted;
    if (poll.owner === self) {
      // Our own poll: our answer is counted here (a client cannot send itself a message).
      poll.answers?.set(self, { choices: sorted, name: poll.draft.anonymous ? undefined : this.#options.nameOf(self) });
      this.#changed();
      return;
    }
    this.#changed();
    try {
      await this.#options.send({ kind: 'poll-answer', poll: id, choices: sorted }, poll.owner);
    } catch (err) {
      poll.myChoices = previous;
      this.#changed();
      throw err;
    }
  }

  /** Owner: closes the poll; answers that arrive later do not count. An anonymous poll's who-chose-what is dropped here. */
  async close(id: string): Promise<void> {
    const poll = this.#ownOpen(id);
    poll.final = tallyOf(poll);
    poll.answers = null;
    poll.state = 'closed';
    this.#changed();
    await this.#options.send({ kind: 'poll-close', poll: id });
  }

  /** Owner: shares the final counts (never who chose what) with everyone; closes the poll first if it is open. */
  async share(id: string): Promise<void> {
    const poll = this.#polls.get(id);
    if (!poll || poll.owner !== this.#options.selfId()) throw new SignallingError('forbidden', 'only the poll’s owner shares its results');
    if (poll.state === 'open') await this.close(id);
    const final = poll.final ?? { counts: poll.draft.options.map(() => 0), voters: 0 };
    poll.shared = { counts: final.counts, voters: final.voters };
    this.#changed();
    await this.#options.send({ kind: 'poll-results', poll: id, counts: [...final.counts], voters: final.voters });
  }

  /** Members joined the group: our open polls are sent again so that they can answer (others ignore a poll they have). */
  reannounce(): void {
    for (const poll of this.#polls.values()) {
      if (poll.state !== 'open' || poll.owner !== this.#options.selfId()) continue;
      const { question, options, multiple, anonymous } = poll.draft;
      void this.#options.send({ kind: 'poll-open', poll: poll.id, question, options: [...options], multiple, anonymous }).catch(() => undefined);
    }
  }

  /** Polls whose owner left can no longer be answered: they close. */
  retain(participantIds: ReadonlySet<string>): void {
    let changed = false;
    for (const poll of this.#polls.values()) {
      if (poll.state === 'open' && !participantIds.has(poll.owner)) {
        poll.state = 'closed';
        changed = true;
      }
    }
    if (changed) this.#changed();
  }

  clear(): void {
    if (this.#polls.size === 0) return;
    this.#polls.clear();
    this.#changed();
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  #ownOpen(id: string): Poll {
    const poll = this.#polls.get(id);
    if (!poll || poll.owner !== this.#options.selfId()) throw new SignallingError('forbidden', 'only the poll’s owner closes it');
    if (poll.state !== 'open') throw new SignallingError('invalid-state', 'the poll is closed');
    return poll;
  }

  #add(poll: Poll): void {
    this.#polls.set(poll.id, poll);
    // Bounded memory whatever hosts do: the oldest closed polls go first, then the oldest of other people's.
    const self = this.#options.selfId();
    for (const evictable of [(old: Poll) => old.state === 'closed', (old: Poll) => old.owner !== self]) {
      for (const [id, old] of this.#polls) {
        if (this.#polls.size <= MAX_POLLS_KEPT) break;
        if (evictable(old)) this.#polls.delete(id);
      }
    }
    this.#changed();
  }

  #view(poll: Poll): PollView {
    const own = poll.owner === this.#options.selfId();
    return {
      id: poll.id,
      owner: poll.owner,
      ...poll.draft,
      state: poll.state,
      own,
      myChoices: poll.myChoices,
      tally: own ? (poll.final ?? tallyOf(poll)) : null,
      shared: poll.shared,
    };
  }

  #newId(): string {
    const bytes = new Uint8Array(16);
    (this.#options.random ?? ((b: Uint8Array<ArrayBuffer>) => void crypto.getRandomValues(b)))(bytes);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  #changed(): void {
    this.emit('changed', this.list);
  }
}

/** Option indexes that exist in this poll, exactly one for a single-choice poll (each index once: the schema). */
function fitsPoll(draft: PollDraft, choices: readonly number[]): boolean {
  if (choices.length === 0 || choices.length > MAX_POLL_OPTIONS) return false;
  if (!draft.multiple && choices.length !== 1) return false;
  return choices.every((c) => Number.isInteger(c) && c >= 0 && c < draft.options.length);
}

/** Shared results that can be true of this poll. */
function resultsFit(draft: PollDraft, counts: readonly number[], voters: number): boolean {
  if (counts.length !== draft.options.length || counts.some((c) => c > voters)) return false;
  const total = counts.reduce((sum, c) => sum + c, 0);
  // Each one who answered chose one option (single choice) or at least one (multiple choice).
  return draft.multiple ? total >= voters && total <= voters * counts.length : total === voters;
}

/** The owner's count of its answers (names only for a named poll). */
function tallyOf(poll: Poll): PollTally {
  const counts = poll.draft.options.map(() => 0);
  const names: string[][] = poll.draft.options.map(() => []);
  const answers = poll.answers ?? new Map();
  for (const { choices, name } of answers.values()) {
    for (const c of choices) {
      counts[c] = (counts[c] ?? 0) + 1;
      if (!poll.draft.anonymous) names[c]?.push(name ?? '');
    }
  }
  if (poll.draft.anonymous) return { counts, voters: answers.size };
  return { counts, voters: answers.size, names: names.map((list) => list.sort((x, y) => x.localeCompare(y))) };
}
