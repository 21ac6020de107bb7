/**
 * Who is here (names, roles, microphone state) and, for hosts and co-hosts, the
 * waiting room and per-person controls. Rebuilt from state on every push (the state
 * itself is kept from the server's changes), so it is never stale.
 */
import type { Room } from '../../client/index.ts';
import type { ParticipantInfo, VerifiedIdentity } from '../../protocol/index.ts';
import { isolate, typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import type { Toaster } from '../toast.ts';
import { STATUS_TEXT, type PeopleVerification } from './verification.ts';

const ROLE_LABEL = { host: 'people.role.host', cohost: 'people.role.cohost', participant: null } as const satisfies Record<string, PlainKey | null>;

export class ParticipantsPanel {
  readonly element = h('div', { class: 'panel-body participants-panel' });
  readonly #offs: (() => void)[] = [];
  /**
   * Who the server said waiting people were (hosts only: it comes in waiting-room entries), kept after they are
   * admitted so that the list of people in the meeting still shows "verified: <email>" beside them.
   */
  readonly #identities = new Map<string, VerifiedIdentity>();
  onWaitingChanged: ((count: number) => void) | null = null;
  /** This person's own pin (the meeting view sets it); null: no Pin / Unpin buttons. */
  pins: { pinned(): string | null; toggle(participantId: string): void } | null = null;
  /** Per-person verification (the meeting view sets it); null: no states, no Verify buttons. */
  verification: { model: PeopleVerification; open(participantId: string): Promise<void> } | null = null;
  /** Raised hands (the meeting view sets it, hands.ts): the queue above the list, a numbered hand on each row. */
  hands: { section(): HTMLElement | null; indicator(participantId: string): HTMLElement | null } | null = null;
  /** A waiting person's answer about the recording (the meeting view sets it, recording/recording-ui.ts). */
  recordingNote: ((participantId: string) => string | null) | null = null;

  constructor(
    readonly room: Room,
    readonly toaster: Toaster,
  ) {
    const s = room.state;
    for (const event of ['reset', 'participant-joined', 'participant-updated', 'participant-left', 'waiting-room', 'settings'] as const) {
      this.#offs.push(s.on(event, () => this.render()));
    }
    this.render();
  }

  /** Stops following the room (the meeting view is drawn anew, e.g. in another language). */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  render(): void {
    const s = this.room.state;
    for (const w of s.waiting) if (w.identity) this.#identities.set(w.participantId, w.identity);
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    const parts: HTMLElement[] = [];
    if (s.isHost) parts.push(this.#waitingSection());
    const hands = this.hands?.section();
    if (hands) parts.push(hands);
    const people = [...s.participants.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    parts.push(
      h(
        'div',
        { class: 'panel-section-head' },
        h('h3', { text: t('people.in-meeting', { count: people.length }) }),
        s.isHost ? this.#action(t('people.mute-all'), 'mute-all', () => this.room.host.muteAll()) : null,
      ),
      ...[this.#verificationSummary()].filter((e) => e !== null),
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
      { class: 'waiting-section', attrs: { 'aria-label': t('people.waiting-room'), 'data-testid': 'waiting-list' } },
      h(
        'div',
        { class: 'panel-section-head' },
        h('h3', { text: waiting.length > 0 ? t('people.waiting', { count: waiting.length }) : t('people.waiting-room'), attrs: { 'data-testid': 'waiting-count' } }),
        // Any number: Room.admit goes in batches of 100, each its own MLS commit, one after the other.
        waiting.length > 1 ? this.#action(t('people.admit-all'), 'admit-all', () => this.room.admit(waiting.map((w) => w.participantId))) : null,
      ),
      waiting.length === 0
        ? h('p', { class: 'muted small', text: t('people.no-one-waiting') })
        : h(
            'ul',
            { class: 'people-list' },
            ...waiting.map((w) =>
              h(
                'li',
                { class: 'person', attrs: { 'data-testid': 'waiting-entry', 'data-participant-id': w.participantId } },
                h('span', { class: 'person-main' }, h('span', { class: 'person-name', text: w.name, attrs: typedTextAttrs }), identityTag(w.identity)),
                ((note) => (note ? h('span', { class: 'muted small', text: note, attrs: { 'data-testid': 'waiting-recording-answer' } }) : null))(this.recordingNote?.(w.participantId) ?? null),
                h(
                  'span',
                  { class: 'person-actions' },
                  this.#action(t('people.admit'), `admit-${w.participantId}`, () => this.room.admit([w.participantId]), t('people.admit.label', { name: w.name }), 'primary'),
                  this.#action(t('people.deny'), `deny-${w.participantId}`, () => this.room.host.deny([w.participantId]), t('people.deny.label', { name: w.name })),
                ),
              ),
            ),
          ),
    );
  }

  #row(p: ParticipantInfo): HTMLElement {
    const s = this.room.state;
    const isSelf = p.id === s.selfId;
    const roleKey = ROLE_LABEL[p.role];
    const status = [roleKey ? t(roleKey) : '', isSelf ? t('people.you') : '', p.reconnecting ? t('people.reconnecting') : ''].filter(Boolean).join(' · ');
    const actions: HTMLElement[] = [];
    const settings = s.settings;
    if (s.isHost && !isSelf && p.role !== 'host') {
      if (p.audio) actions.push(this.#action(t('people.mute'), `mute-${p.id}`, () => this.room.host.mute(p.id), t('people.mute.label', { name: p.name })));
      if (s.role === 'host') {
        actions.push(
          p.role === 'cohost'
            ? this.#action(t('people.cohost.remove'), `cohost-${p.id}`, () => this.room.host.setRole(p.id, 'participant'), t('people.cohost.remove.label', { name: p.name }))
            : this.#action(t('people.cohost.make'), `cohost-${p.id}`, () => this.room.host.setRole(p.id, 'cohost'), t('people.cohost.make.label', { name: p.name })),
        );
      }
      if (settings && settings.screenShare !== 'everyone' && p.role === 'participant') {
        const allowed = settings.screenShare === 'named' && settings.screenShareAllowed.includes(p.id);
        actions.push(
          this.#action(
            t(allowed ? 'people.share.stop' : 'people.share.allow'),
            `allow-share-${p.id}`,
            () => this.room.host.allowScreenShare(settings, p.id, !allowed),
            t(allowed ? 'people.share.stop.label' : 'people.share.allow.label', { name: p.name }),
          ),
        );
      }
      actions.push(this.#action(t('people.remove'), `remove-${p.id}`, () => this.#confirmRemove(p), t('people.remove.label', { name: p.name }), 'danger'));
    }
    const verification = this.verification;
    const verifyStatus = verification?.model.statusOf(p.id);
    if (verification && verifyStatus && verifyStatus.state !== 'no-key') {
      actions.push(this.#action(t('people.verify'), `verify-${p.id}`, () => verification.open(p.id), t('people.verify.label', { name: p.name }), verifyStatus.state === 'verified' ? 'ghost' : 'secondary'));
    }
    if (!isSelf && this.pins) {
      const pinned = this.pins.pinned() === p.id;
      actions.push(this.#action(t(pinned ? 'people.unpin' : 'people.pin'), `pin-${p.id}`, async () => this.pins?.toggle(p.id), t(pinned ? 'people.unpin.label' : 'people.pin.label', { name: p.name })));
    }
    if (s.isHost) {
      const spotlit = settings?.spotlight === p.id;
      const text = t(spotlit ? 'tile.spotlight.remove' : 'tile.spotlight.add');
      const label = t(spotlit ? 'people.spotlight.remove.label' : 'people.spotlight.add.label', { name: p.name });
      actions.push(this.#action(text, `spotlight-${p.id}`, () => this.room.host.spotlight(spotlit ? null : p.id), label));
    }
    return h(
      'li',
      { class: 'person', attrs: { 'data-testid': 'participant-row', 'data-participant-id': p.id } },
      h(
        'span',
        { class: 'person-main' },
        h('span', { class: 'person-name', text: p.name, attrs: typedTextAttrs }),
        status ? h('span', { class: 'person-role', text: status }) : null,
        verifyStatus ? verificationTag(verifyStatus.state, verifyStatus.rememberedAs, p.name) : null,
        s.isHost ? identityTag(this.#identities.get(p.id), 'participant-identity') : null,
      ),
      this.hands?.indicator(p.id) ?? null,
      h('span', { class: `person-mic${p.audio ? '' : ' off'}`, attrs: { role: 'img', 'aria-label': t(p.audio ? 'people.mic.on' : 'people.mic.off') } }, icon(p.audio ? 'mic' : 'mic-off', 'icon small')),
      actions.length ? h('span', { class: 'person-actions' }, ...actions) : null,
    );
  }

  /** "3 of 5 not verified by you": at a glance, before anything sensitive is said. */
  #verificationSummary(): HTMLElement | null {
    const model = this.verification?.model;
    if (!model) return null;
    const summary = model.summary();
    const others = summary.verified + summary.notVerifiedNames.length;
    if (others === 0) return null;
    const text =
      summary.notVerifiedNames.length === 0
        ? others === 1
          ? t('people.verified.one')
          : t('people.verified.all', { count: others })
        : summary.keyChanged + summary.mismatch > 0
          ? t('people.verified.some-warning', { unverified: summary.notVerifiedNames.length, others, count: summary.keyChanged + summary.mismatch })
          : t('people.verified.some', { unverified: summary.notVerifiedNames.length, others });
    return h('p', { class: `small ${summary.keyChanged + summary.mismatch > 0 ? 'pill warn' : 'muted'}`, text, attrs: { 'data-testid': 'verification-summary' } });
  }

  #confirmRemove(p: ParticipantInfo): Promise<unknown> {
    if (!confirm(t('people.remove.confirm', { name: isolate(p.name) }))) return Promise.resolve();
    return this.room.host.remove(p.id);
  }

  /** A small text button; `label` names the person too and must begin with `text` (WCAG 2.5.3: say what you see). */
  #action(text: string, testId: string, run: () => Promise<unknown>, label?: string, kind = 'ghost'): HTMLButtonElement {
    const button = h('button', { class: `button tiny ${kind}`, text, attrs: { type: 'button', 'data-testid': testId, 'aria-label': label ?? text } });
    button.addEventListener('click', () => {
      button.disabled = true;
      run()
        .catch(() => this.toaster.show(t('people.action-failed')))
        .finally(() => (button.disabled = false));
    });
    return button;
  }
}

/**
 * "verified: priya@example.org": who the server knows a waiting person to be (a signed-in account, or the
 * address a personal invitation was sent to), beside the name they typed. The address is shown isolated, as
 * typed text (it passed the typed-text rule on the server).
 */
function identityTag(identity: VerifiedIdentity | undefined, testId = 'waiting-identity'): HTMLElement | null {
  if (!identity) return null;
  return h('span', {
    class: 'person-role verified-identity',
    text: t('people.verified-identity', { email: identity.email }),
    attrs: { dir: 'auto', title: t(identity.kind === 'account' ? 'people.verified-identity.account' : 'people.verified-identity.invitation'), 'data-testid': testId },
  });
}

function rank(p: ParticipantInfo): number {
  return p.role === 'host' ? 0 : p.role === 'cohost' ? 1 : 2;
}

/** The person's verification state in words (colour only repeats it). */
function verificationTag(state: keyof typeof STATUS_TEXT, rememberedAs: string | undefined, name: string): HTMLElement {
  let text = t(STATUS_TEXT[state]);
  if (state === 'verified' && rememberedAs !== undefined && rememberedAs !== name) text = t('verify.tag.verified-as', { name: isolate(rememberedAs) });
  if (state === 'key-changed' && rememberedAs !== undefined) text = t('verify.tag.key-changed', { name: isolate(rememberedAs) });
  return h('span', { class: `person-verification ${state}`, text, attrs: { 'data-testid': 'verification-state', 'data-state': state } });
}
