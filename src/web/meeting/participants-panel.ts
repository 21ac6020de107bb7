/**
 * Who is here (names, roles, microphone state) and, for hosts and co-hosts, the
 * waiting room and per-person controls. Rebuilt from state on every push (the state
 * itself is kept from the server's changes), so it is never stale.
 */
import type { Room } from '../../client/index.ts';
import type { ParticipantInfo } from '../../protocol/index.ts';
import { isolate, typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { Toaster } from '../toast.ts';

const ROLE_LABEL = { host: 'Host', cohost: 'Co-host', participant: '' } as const;

export class ParticipantsPanel {
  readonly element = h('div', { class: 'panel-body participants-panel' });
  onWaitingChanged: ((count: number) => void) | null = null;
  /** This person's own pin (the meeting view sets it); null: no Pin / Unpin buttons. */
  pins: { pinned(): string | null; toggle(participantId: string): void } | null = null;

  constructor(
    readonly room: Room,
    readonly toaster: Toaster,
  ) {
    const s = room.state;
    for (const event of ['reset', 'participant-joined', 'participant-updated', 'participant-left', 'waiting-room', 'settings'] as const) {
      s.on(event, () => this.render());
    }
    this.render();
  }

  render(): void {
    const s = this.room.state;
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    const parts: HTMLElement[] = [];
    if (s.isHost) parts.push(this.#waitingSection());
    const people = [...s.participants.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    parts.push(
      h(
        'div',
        { class: 'panel-section-head' },
        h('h3', { text: `In the meeting (${people.length})` }),
        s.isHost ? this.#action('Mute all', 'mute-all', () => this.room.host.muteAll()) : null,
      ),
      h('ul', { class: 'people-list', attrs: { 'data-testid': 'participants-list' } }, ...people.map((p) => this.#row(p))),
    );
    this.element.replaceChildren(...parts);
    this.onWaitingChanged?.(s.isHost ? s.waiting.length : 0);
    if (focused) this.element.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  }

  #waitingSection(): HTMLElement {
    const waiting = this.room.state.waiting;
    return h(
      'section',
      { class: 'waiting-section', attrs: { 'aria-label': 'Waiting room', 'data-testid': 'waiting-list' } },
      h(
        'div',
        { class: 'panel-section-head' },
        h('h3', { text: `Waiting to join (${waiting.length})` }),
        // Any number: Room.admit goes in batches of 100, each its own MLS commit, one after the other.
        waiting.length > 1 ? this.#action('Admit all', 'admit-all', () => this.room.admit(waiting.map((w) => w.participantId))) : null,
      ),
      waiting.length === 0
        ? h('p', { class: 'muted small', text: 'No one is waiting.' })
        : h(
            'ul',
            { class: 'people-list' },
            ...waiting.map((w) =>
              h(
                'li',
                { class: 'person', attrs: { 'data-testid': 'waiting-entry', 'data-participant-id': w.participantId } },
                h('span', { class: 'person-name', text: w.name, attrs: typedTextAttrs }),
                h(
                  'span',
                  { class: 'person-actions' },
                  this.#action('Admit', `admit-${w.participantId}`, () => this.room.admit([w.participantId]), `Admit ${w.name}`, 'primary'),
                  this.#action('Deny', `deny-${w.participantId}`, () => this.room.host.deny([w.participantId]), `Deny ${w.name}`),
                ),
              ),
            ),
          ),
    );
  }

  #row(p: ParticipantInfo): HTMLElement {
    const s = this.room.state;
    const isSelf = p.id === s.selfId;
    const role = ROLE_LABEL[p.role];
    const status = [role, isSelf ? 'You' : '', p.reconnecting ? 'Reconnecting…' : ''].filter(Boolean).join(' · ');
    const actions: HTMLElement[] = [];
    const settings = s.settings;
    if (s.isHost && !isSelf && p.role !== 'host') {
      if (p.audio) actions.push(this.#action('Mute', `mute-${p.id}`, () => this.room.host.mute(p.id), `Mute ${p.name}`));
      if (s.role === 'host') {
        actions.push(
          p.role === 'cohost'
            ? this.#action('Remove co-host', `cohost-${p.id}`, () => this.room.host.setRole(p.id, 'participant'), `Remove co-host: ${p.name}`)
            : this.#action('Make co-host', `cohost-${p.id}`, () => this.room.host.setRole(p.id, 'cohost'), `Make co-host: ${p.name}`),
        );
      }
      if (settings && settings.screenShare !== 'everyone' && p.role === 'participant') {
        const allowed = settings.screenShare === 'named' && settings.screenShareAllowed.includes(p.id);
        actions.push(
          this.#action(allowed ? 'Stop share permission' : 'Allow screen share', `allow-share-${p.id}`, () => this.room.host.allowScreenShare(settings, p.id, !allowed), `${allowed ? 'Stop share permission' : 'Allow screen share'}: ${p.name}`),
        );
      }
      actions.push(this.#action('Remove', `remove-${p.id}`, () => this.#confirmRemove(p), `Remove ${p.name}`, 'danger'));
    }
    if (!isSelf && this.pins) {
      const pinned = this.pins.pinned() === p.id;
      actions.push(this.#action(pinned ? 'Unpin' : 'Pin', `pin-${p.id}`, async () => this.pins?.toggle(p.id), `${pinned ? 'Unpin' : 'Pin'} ${p.name}`));
    }
    if (s.isHost) {
      const spotlit = settings?.spotlight === p.id;
      const text = spotlit ? 'Remove spotlight' : 'Spotlight for everyone';
      actions.push(this.#action(text, `spotlight-${p.id}`, () => this.room.host.spotlight(spotlit ? null : p.id), `${text}: ${p.name}`));
    }
    return h(
      'li',
      { class: 'person', attrs: { 'data-testid': 'participant-row', 'data-participant-id': p.id } },
      h('span', { class: 'person-main' }, h('span', { class: 'person-name', text: p.name, attrs: typedTextAttrs }), status ? h('span', { class: 'person-role', text: status }) : null),
      h('span', { class: `person-mic${p.audio ? '' : ' off'}`, attrs: { role: 'img', 'aria-label': p.audio ? 'Microphone on' : 'Muted' } }, icon(p.audio ? 'mic' : 'mic-off', 'icon small')),
      actions.length ? h('span', { class: 'person-actions' }, ...actions) : null,
    );
  }

  #confirmRemove(p: ParticipantInfo): Promise<unknown> {
    if (!confirm(`Remove ${isolate(p.name)} from the meeting? They will not be able to rejoin.`)) return Promise.resolve();
    return this.room.host.remove(p.id);
  }

  /** A small text button; `label` names the person too and must begin with `text` (WCAG 2.5.3: say what you see). */
  #action(text: string, testId: string, run: () => Promise<unknown>, label?: string, kind = 'ghost'): HTMLButtonElement {
    const button = h('button', { class: `button tiny ${kind}`, text, attrs: { type: 'button', 'data-testid': testId, 'aria-label': label ?? text } });
    button.addEventListener('click', () => {
      button.disabled = true;
      run()
        .catch(() => this.toaster.show('That did not work. You may not have permission.'))
        .finally(() => (button.disabled = false));
    });
    return button;
  }
}

function rank(p: ParticipantInfo): number {
  return p.role === 'host' ? 0 : p.role === 'cohost' ? 1 : 2;
}
