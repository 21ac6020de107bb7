/**
 * Polls in the meeting view: hosts and co-hosts ask (question, 2 to 10 options, one or several answers,
 * anonymous or named), everyone (the poll's owner too: poll-card-parts.ts) answers the open polls and may change their answer until a poll closes, the
 * poll's owner watches its live count (and, for a named poll, who chose what), closes it and shares the
 * counts; everyone sees the shared counts and the list of past polls. The polls themselves are the SDK's
 * (Room.polls, src/client/polls.ts): this file only shows them and says what people do.
 *
 * Each poll is one card, drawn again only when that poll changed, so that a choice someone is making is not
 * lost when another poll's count moves. Question, options and names are typed text: shown with dir="auto"
 * or in a <bdi>, always as text nodes.
 */
import type { PollView, Room } from '../../client/index.ts';
import { MAX_POLL_OPTION, MAX_POLL_OPTIONS, MAX_POLL_QUESTION, MIN_POLL_OPTIONS } from '../../e2ee/session/index.ts';
import { bdi, isolate, typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { t, tNodes } from '../i18n/index.ts';
import type { Toaster } from '../toast.ts';
import { pollCardParts } from './poll-card-parts.ts';

export class PollsPanel {
  readonly element: HTMLElement;
  /** Someone else asked a poll (the meeting view shows a badge while the panel is closed). */
  onOpened: (() => void) | null = null;
  readonly #room: Room;
  readonly #toaster: Toaster;
  readonly #form: PollForm;
  readonly #list = h('ol', { class: 'polls-list', attrs: { 'aria-label': t('polls.list'), 'data-testid': 'polls-list' } });
  readonly #empty = h('p', { class: 'muted', text: t('polls.empty'), attrs: { 'data-testid': 'polls-empty' } });
  /** Each poll's card and the view it was drawn from. */
  readonly #cards = new Map<string, { drawn: string; element: HTMLElement }>();
  /** Choices someone is making and has not sent yet, by poll. */
  readonly #pending = new Map<string, Set<number>>();
  readonly #offs: (() => void)[] = [];

  constructor(room: Room, toaster: Toaster, openPanel: () => void) {
    this.#room = room;
    this.#toaster = toaster;
    this.#form = new PollForm(room, toaster);
    this.element = h('div', { class: 'panel-body polls-panel', attrs: { 'data-testid': 'polls-panel' } }, this.#form.element, this.#empty, this.#list);
    const polls = room.polls;
    this.#offs.push(
      polls.on('changed', () => this.render()),
      polls.on('opened', (poll) => {
        const name = room.state.participants.get(poll.owner)?.name ?? t('polls.someone');
        toaster.showWithActions([t('polls.opened-toast', { name: isolate(name), question: isolate(poll.question) })], [{ text: t('polls.opened-toast.view'), testId: 'poll-opened-view', label: t('polls.opened-toast.view'), run: openPanel }], 'poll-opened-toast', 10_000);
        this.onOpened?.();
      }),
    );
    for (const event of ['participant-updated', 'reset'] as const) this.#offs.push(room.state.on(event, () => this.#form.render()));
    this.render();
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  render(): void {
    this.#form.render();
    const views = this.#room.polls.list;
    this.#empty.hidden = views.length > 0;
    const seen = new Set<string>();
    // Newest first: the poll being asked now is at the top.
    const ordered: HTMLElement[] = [];
    for (const view of [...views].reverse()) {
      seen.add(view.id);
      const drawn = JSON.stringify(view);
      let card = this.#cards.get(view.id);
      if (!card || card.drawn !== drawn) {
        card = { drawn, element: this.#card(view) };
        this.#cards.get(view.id)?.element.replaceWith(card.element);
        this.#cards.set(view.id, card);
      }
      ordered.push(card.element);
    }
    for (const id of [...this.#cards.keys()]) {
      if (!seen.has(id)) {
        this.#cards.get(id)?.element.remove();
        this.#cards.delete(id);
        this.#pending.delete(id);
      }
    }
    // Re-append in order; an unchanged card is moved, not drawn again (its inputs keep their state).
    ordered.forEach((element, index) => {
      if (this.#list.children[index] !== element) this.#list.insertBefore(element, this.#list.children[index] ?? null);
    });
  }

  #card(view: PollView): HTMLElement {
    const s = this.#room.state;
    const owner = view.own ? t('polls.asked-by-you') : tNodes('polls.asked-by', { name: bdi(s.participants.get(view.owner)?.name ?? t('polls.someone')) });
    const tags = [
      t(view.state === 'open' ? 'polls.state.open' : 'polls.state.closed'),
      t(view.anonymous ? 'polls.kind.anonymous' : 'polls.kind.named'),
      t(view.multiple ? 'polls.kind.multiple' : 'polls.kind.single'),
    ];
    const card = h(
      'li',
      { class: `poll-card ${view.state}`, attrs: { 'data-testid': 'poll', 'data-poll-id': view.id, 'data-state': view.state, 'data-own': String(view.own) } },
      h('p', { class: 'poll-question', text: view.question, attrs: { ...typedTextAttrs, 'data-testid': 'poll-question' } }),
      h('p', { class: 'poll-meta muted' }, ...(typeof owner === 'string' ? [owner] : owner), ` · ${tags.join(' · ')}`),
    );
    const parts = pollCardParts(view);
    if (parts.answerForm) card.append(this.#answerForm(view));
    else if (parts.myAnswer) card.append(h('p', { class: 'poll-note muted', attrs: { 'data-testid': 'poll-my-answer' } }, ...tNodes('polls.answer.yours', { answer: joinNames((view.myChoices ?? []).map((c) => view.options[c] ?? '')) })));
    if (parts.ownerTally && view.tally) {
      card.append(h('h3', { class: 'poll-results-head', text: t(view.state === 'open' ? 'polls.results.live' : 'polls.results.final') }), this.#results(view, view.tally.counts, view.tally.voters, view.tally.names));
      card.append(this.#ownerActions(view));
    } else if (view.shared) {
      card.append(h('h3', { class: 'poll-results-head', text: t('polls.results.shared') }), this.#results(view, view.shared.counts, view.shared.voters));
    } else if (view.state === 'closed') {
      card.append(h('p', { class: 'poll-note muted', text: t('polls.results.not-shared') }));
    }
    return card;
  }

  #answerForm(view: PollView): HTMLElement {
    const chosen = this.#pending.get(view.id) ?? new Set(view.myChoices ?? []);
    this.#pending.set(view.id, chosen);
    const send = h('button', { class: 'button primary tiny', text: t(view.myChoices ? 'polls.answer.change' : 'polls.answer'), attrs: { type: 'submit', 'data-testid': 'poll-answer' } });
    const update = () => (send.disabled = chosen.size === 0);
    const name = `poll-${view.id}`;
    const options = view.options.map((text, index) =>
      h(
        'label',
        { class: 'poll-option' },
        h('input', {
          attrs: { type: view.multiple ? 'checkbox' : 'radio', name, value: index, checked: chosen.has(index), 'data-testid': 'poll-choice', 'data-index': index },
          on: {
            change: (event) => {
              const input = event.target as HTMLInputElement;
              if (!view.multiple) chosen.clear();
              if (input.checked) chosen.add(index);
              else chosen.delete(index);
              update();
            },
          },
        }),
        h('span', { text, attrs: typedTextAttrs }),
      ),
    );
    update();
    // On our own poll the answer is counted in our tally, not sent: the note about who sees it does not apply.
    const note = view.myChoices && !view.own ? h('p', { class: 'poll-note muted', text: t(view.anonymous ? 'polls.answer.sent.anonymous' : 'polls.answer.sent.named'), attrs: { 'data-testid': 'poll-answered' } }) : null;
    return h(
      'form',
      {
        class: 'poll-answer-form',
        on: {
          submit: (event) => {
            event.preventDefault();
            send.disabled = true;
            this.#room.polls.answer(view.id, [...chosen]).catch(() => {
              this.#toaster.show(t('polls.answer.failed'));
              update();
            });
          },
        },
      },
      h('fieldset', { class: 'poll-options' }, h('legend', { class: 'visually-hidden', text: view.question, attrs: typedTextAttrs }), ...options),
      send,
      note,
    );
  }

  #results(view: PollView, counts: readonly number[], voters: number, names?: readonly (readonly string[])[]): HTMLElement {
    const rows = view.options.map((text, index) => {
      const count = counts[index] ?? 0;
      const who = names?.[index];
      return h(
        'li',
        { class: 'poll-result', attrs: { 'data-testid': 'poll-result', 'data-index': index, 'data-count': count } },
        h('span', { class: 'poll-result-head' }, h('span', { class: 'poll-result-option', text, attrs: typedTextAttrs }), h('span', { class: 'poll-result-count', text: t('polls.results.count', { count }) })),
        // A <progress> draws the bar: no inline style (the CSP allows none).
        h('progress', { class: 'poll-bar', attrs: { max: Math.max(voters, 1), value: count, 'aria-hidden': 'true' } }),
        who && who.length > 0 ? h('p', { class: 'poll-names muted', attrs: { 'data-testid': 'poll-names' } }, ...tNodes('polls.results.names', { names: joinNames(who) })) : null,
      );
    });
    return h('div', { class: 'poll-results' }, h('ol', { class: 'poll-result-list' }, ...rows), h('p', { class: 'poll-voters muted', text: t('polls.results.voters', { count: voters }), attrs: { 'data-testid': 'poll-voters', 'data-voters': voters } }));
  }

  #ownerActions(view: PollView): HTMLElement {
    const run = (action: () => Promise<void>) => () => void action().catch(() => this.#toaster.show(t('polls.action.failed')));
    const actions = h('div', { class: 'poll-actions' });
    if (view.state === 'open') actions.append(h('button', { class: 'button secondary tiny', text: t('polls.close'), attrs: { type: 'button', 'data-testid': 'poll-close' }, on: { click: run(() => this.#room.polls.close(view.id)) } }));
    if (view.shared) actions.append(h('p', { class: 'poll-note muted', text: t('polls.shared'), attrs: { 'data-testid': 'poll-shared' } }));
    else actions.append(h('button', { class: 'button primary tiny', text: t('polls.share'), attrs: { type: 'button', 'data-testid': 'poll-share' }, on: { click: run(() => this.#room.polls.share(view.id)) } }));
    return actions;
  }
}

/** Names (or options) in one sentence, each in its own <bdi>. */
function joinNames(names: readonly string[]): HTMLElement {
  const list = h('span', { class: 'poll-name-list' });
  names.forEach((name, i) => {
    if (i > 0) list.append(', ');
    list.append(bdi(name || t('polls.someone')));
  });
  return list;
}

/** The host's form for a new poll: shown to hosts and co-hosts only. */
class PollForm {
  readonly element: HTMLElement;
  readonly #room: Room;
  readonly #toaster: Toaster;
  readonly #question = h('input', { class: 'input', attrs: { id: 'poll-question', maxlength: MAX_POLL_QUESTION, dir: 'auto', 'data-testid': 'poll-new-question' } });
  readonly #options = h('ol', { class: 'poll-new-options' });
  readonly #add = h('button', { class: 'button ghost tiny', text: t('polls.new.add-option'), attrs: { type: 'button', 'data-testid': 'poll-add-option' } });
  readonly #multiple = h('input', { attrs: { type: 'checkbox', id: 'poll-multiple', 'data-testid': 'poll-multiple' } });
  readonly #anonymous = h('input', { attrs: { type: 'checkbox', id: 'poll-anonymous', checked: true, 'data-testid': 'poll-anonymous' } });
  readonly #error = h('p', { class: 'form-error', attrs: { role: 'alert', hidden: true, 'data-testid': 'poll-new-error' } });
  readonly #ask = h('button', { class: 'button primary', text: t('polls.new.ask'), attrs: { type: 'submit', 'data-testid': 'poll-ask' } });

  constructor(room: Room, toaster: Toaster) {
    this.#room = room;
    this.#toaster = toaster;
    for (let i = 0; i < MIN_POLL_OPTIONS; i++) this.#addOption();
    this.#add.addEventListener('click', () => {
      this.#addOption();
      (this.#options.lastElementChild?.querySelector('input') as HTMLInputElement | null)?.focus();
    });
    this.element = h(
      'details',
      { class: 'poll-new', attrs: { 'data-testid': 'poll-new' } },
      h('summary', { text: t('polls.new.heading'), attrs: { 'data-testid': 'poll-new-open' } }),
      h(
        'form',
        { class: 'poll-new-form', on: { submit: (event) => (event.preventDefault(), void this.#submit()) } },
        h('label', { class: 'poll-field-label', text: t('polls.new.question'), attrs: { for: 'poll-question' } }),
        this.#question,
        this.#options,
        this.#add,
        h('label', { class: 'poll-check' }, this.#multiple, t('polls.new.multiple')),
        h('label', { class: 'poll-check' }, this.#anonymous, t('polls.new.anonymous')),
        this.#error,
        this.#ask,
      ),
    );
    this.render();
  }

  render(): void {
    this.element.hidden = !this.#room.state.isHost;
  }

  #addOption(): void {
    if (this.#options.children.length >= MAX_POLL_OPTIONS) return;
    const input = h('input', { class: 'input', attrs: { maxlength: MAX_POLL_OPTION, dir: 'auto', 'data-testid': 'poll-new-option' } });
    const remove = h('button', { class: 'icon-button', attrs: { type: 'button', 'data-testid': 'poll-remove-option' } }, icon('close', 'icon small'));
    const row = h('li', { class: 'poll-new-option' }, input, remove);
    remove.addEventListener('click', () => {
      if (this.#options.children.length <= MIN_POLL_OPTIONS) return;
      row.remove();
      this.#numberOptions();
    });
    this.#options.append(row);
    this.#numberOptions();
  }

  /** Each option's name says its number; removing is offered only above the fewest options a poll has. */
  #numberOptions(): void {
    const rows = [...this.#options.children];
    rows.forEach((row, i) => {
      row.querySelector('input')?.setAttribute('aria-label', t('polls.new.option', { number: i + 1 }));
      const remove = row.querySelector('button');
      remove?.setAttribute('aria-label', t('polls.new.remove-option', { number: i + 1 }));
      if (remove) remove.hidden = rows.length <= MIN_POLL_OPTIONS;
    });
    this.#add.hidden = rows.length >= MAX_POLL_OPTIONS;
  }

  async #submit(): Promise<void> {
    this.#error.hidden = true;
    const options = [...this.#options.querySelectorAll('input')].map((input) => input.value.trim()).filter((text) => text !== '');
    const draft = { question: this.#question.value, options, multiple: this.#multiple.checked, anonymous: this.#anonymous.checked };
    this.#ask.disabled = true;
    try {
      await this.#room.polls.open(draft);
      this.#question.value = '';
      this.#options.replaceChildren();
      for (let i = 0; i < MIN_POLL_OPTIONS; i++) this.#addOption();
      (this.element as HTMLDetailsElement).open = false;
    } catch (err) {
      if (err instanceof TypeError) {
        this.#error.textContent = t('polls.new.not-allowed');
        this.#error.hidden = false;
      } else this.#toaster.show(t('polls.new.failed'));
    } finally {
      this.#ask.disabled = false;
    }
  }
}
