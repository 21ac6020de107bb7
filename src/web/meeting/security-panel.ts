/**
 * Every protection of the meeting and its state in one place, for hosts and co-hosts.
 * Changes go to the server; the switches move only when the server's `settings`
 * push says so, so what is shown is what is enforced.
 */
import type { Room } from '../../client/index.ts';
import type { MeetingSettings } from '../../protocol/index.ts';
import { append, copyText, h } from '../dom.ts';
import { icon } from '../icons.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { meetingLink } from '../links.ts';
import type { Toaster } from '../toast.ts';
import { encryptionStateText, rosterWarningText } from './encryption-badge.ts';
import { resetDeviceIdentity } from '../../e2ee/identity/identity-store.ts';
import { isolate } from '../bidi.ts';
import type { PeopleVerification } from './verification.ts';

type BoolSetting = 'waitingRoom' | 'locked' | 'privateChat' | 'muteOnEntry' | 'allowUnmute' | 'allowRename';

const SWITCHES: { key: BoolSetting; label: PlainKey; help: PlainKey }[] = [
  { key: 'waitingRoom', label: 'security.switch.waitingRoom', help: 'security.switch.waitingRoom.help' },
  { key: 'locked', label: 'security.switch.locked', help: 'security.switch.locked.help' },
  { key: 'muteOnEntry', label: 'security.switch.muteOnEntry', help: 'security.switch.muteOnEntry.help' },
  { key: 'allowUnmute', label: 'security.switch.allowUnmute', help: 'security.switch.allowUnmute.help' },
  { key: 'privateChat', label: 'security.switch.privateChat', help: 'security.switch.privateChat.help' },
  { key: 'allowRename', label: 'security.switch.allowRename', help: 'security.switch.allowRename.help' },
];

export class SecurityPanel {
  readonly element = h('div', { class: 'panel-body security-panel', attrs: { 'data-testid': 'security-panel' } });
  /** Kept across renders and updated on its own: encryption changes often, the settings rarely. */
  readonly #encryption = h('section', { class: 'setting-block', attrs: { 'data-testid': 'encryption-block' } });
  /** Who this browser has verified, for everyone (not only hosts): verification is per browser. */
  readonly #people = h('section', { class: 'setting-block', attrs: { 'data-testid': 'verification-block' } });
  #verification: PeopleVerification | null = null;
  readonly #offs: (() => void)[] = [];

  constructor(
    readonly room: Room,
    readonly meetingId: string,
    readonly toaster: Toaster,
  ) {
    const s = room.state;
    for (const event of ['settings', 'passcode', 'reset', 'participant-updated'] as const) this.#offs.push(s.on(event, () => this.render()));
    for (const event of ['participant-joined', 'participant-left'] as const) this.#offs.push(s.on(event, () => this.#renderEncryption()));
    const offEncryption = room.encryption?.on('changed', () => this.#renderEncryption());
    if (offEncryption) this.#offs.push(offEncryption);
    this.#renderEncryption();
    this.render();
  }

  /** Stops following the room (the meeting view is drawn anew, e.g. in another language). */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  /** The meeting view hands over the per-person verification once it exists. */
  setVerification(verification: PeopleVerification): void {
    this.#verification = verification;
    this.#offs.push(verification.on('changed', () => this.#renderPeople()));
    this.#renderPeople();
  }

  #renderPeople(): void {
    const verification = this.#verification;
    this.#people.replaceChildren();
    if (!verification) return;
    const summary = verification.summary();
    const others = summary.verified + summary.notVerifiedNames.length;
    const warnings = summary.keyChanged + summary.mismatch;
    append(
      this.#people,
      h('h3', { text: t('security.verified.heading') }),
      h('p', {
        attrs: { 'data-testid': 'verification-count' },
        text: others === 0 ? t('security.verified.nobody-here') : t('security.verified.count', { verified: summary.verified, others, unverified: summary.notVerifiedNames.length }),
      }),
      warnings > 0
        ? h('p', { class: 'pill warn', attrs: { role: 'alert', 'data-testid': 'verification-warning' }, text: t('security.verified.warning', { count: warnings }) })
        : null,
      summary.notVerifiedNames.length > 0 && summary.notVerifiedNames.length <= 20
        ? h('p', { class: 'setting-help', attrs: { 'data-testid': 'unverified-names' }, text: t('security.verified.unverified-names', { names: summary.notVerifiedNames.map(isolate).join(', ') }) })
        : null,
      h('p', { class: 'setting-help', text: t('security.verified.how') }),
      h('button', {
        class: 'button tiny ghost',
        text: t('security.reset-identity'),
        attrs: { type: 'button', 'data-testid': 'reset-identity' },
        on: {
          click: () => {
            if (!confirm(t('security.reset-identity.confirm'))) return;
            resetDeviceIdentity().then(
              () => this.toaster.show(t('security.reset-identity.done')),
              () => this.toaster.show(t('security.reset-identity.failed')),
            );
          },
        },
      }),
    );
  }

  #renderEncryption(): void {
    const snapshot = this.room.encryption?.snapshot() ?? null;
    const ready = snapshot?.state === 'ready';
    const warning = rosterWarningText(this.room, snapshot);
    this.#encryption.replaceChildren();
    append(
      this.#encryption,
      h('h3', { text: t('security.encryption.heading') }),
      h('p', { text: encryptionStateText(snapshot), attrs: { 'data-testid': 'encryption-state', 'data-state': snapshot?.state ?? 'no-key' } }),
      ready ? h('p', { class: 'security-code mono', text: snapshot.securityCode ?? '', attrs: { 'data-testid': 'encryption-code' } }) : null,
      h('p', { class: 'setting-help', text: t('security.encryption.help') }),
      h('p', { class: 'setting-help', attrs: { 'data-testid': 'group-code-limits' }, text: t('security.encryption.limits') }),
      warning ? h('p', { class: 'pill warn', text: warning, attrs: { role: 'alert' } }) : null,
    );
  }

  render(): void {
    const s = this.room.state;
    const settings = s.settings;
    if (!settings || !s.isHost) {
      this.element.replaceChildren(h('p', { class: 'muted', text: t('security.hosts-only') }), this.#encryption, this.#people);
      return;
    }
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    const passcode = s.passcode;
    const passcodeRow = h(
      'section',
      { class: 'setting-block' },
      h('h3', { text: t('security.passcode.heading') }),
      h('p', { class: 'passcode mono', text: passcode ?? t('security.passcode.hidden'), attrs: { 'data-testid': 'passcode-value' } }),
      h(
        'div',
        { class: 'actions' },
        h('button', {
          class: 'button tiny secondary',
          attrs: { type: 'button', 'data-testid': 'copy-meeting-link', disabled: passcode === null },
          text: t('security.copy-link'),
          on: {
            click: async () => {
              if (!passcode) return;
              const ok = await copyText(meetingLink(location.origin, this.meetingId, passcode));
              this.toaster.show(t(ok ? 'share-link.copied' : 'share-link.copy-failed'));
            },
          },
        }),
        h('button', {
          class: 'button tiny ghost',
          text: t('security.new-passcode'),
          attrs: { type: 'button', 'data-testid': 'regenerate-passcode' },
          on: {
            click: () => {
              if (!confirm(t('security.new-passcode.confirm'))) return;
              this.room.host.regeneratePasscode().catch(() => this.toaster.show(t('security.new-passcode.failed')));
            },
          },
        }),
      ),
    );

    const switches = SWITCHES.map((sw) => this.#switch(sw.key, t(sw.label), t(sw.help), settings));
    const shareSelect = this.#select(
      t('security.screen-share'),
      'setting-screenShare',
      [
        ['host-only', t('security.screen-share.host-only')],
        ['named', t('security.screen-share.named')],
        ['everyone', t('security.screen-share.everyone')],
      ],
      settings.screenShare,
      (value) => this.#update({ screenShare: value as MeetingSettings['screenShare'] }),
    );
    const chatSelect = this.#select(
      t('security.chat'),
      'setting-chat',
      [
        ['everyone', t('security.chat.everyone')],
        ['host-only', t('security.chat.host-only')],
        ['off', t('security.chat.off')],
      ],
      settings.chat,
      (value) => this.#update({ chat: value as MeetingSettings['chat'] }),
    );
    this.element.replaceChildren(
      h('p', { class: 'panel-intro' }, icon('shield', 'icon small'), ' ', t('security.intro')),
      // First, so that a host sees who is not verified before anything sensitive is said.
      this.#people,
      passcodeRow,
      h('section', { class: 'setting-block' }, h('h3', { text: t('security.entry-audio') }), ...switches.slice(0, 4)),
      h('section', { class: 'setting-block' }, h('h3', { text: t('security.sharing-chat') }), shareSelect, chatSelect, ...switches.slice(4)),
      this.#encryption,
    );
    if (focused) this.element.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  }

  #update(settings: Partial<MeetingSettings>): void {
    this.room.host.updateSettings(settings).catch(() => {
      this.toaster.show(t('security.setting-failed'));
      this.render();
    });
  }

  #switch(key: BoolSetting, label: string, help: string, settings: MeetingSettings): HTMLElement {
    const on = settings[key];
    const id = `setting-${key}`;
    const button = h('button', {
      class: 'switch',
      attrs: { type: 'button', role: 'switch', 'aria-checked': String(on), id, 'aria-describedby': `${id}-help`, 'data-testid': id },
      on: { click: () => this.#update({ [key]: !on }) },
    });
    return h(
      'div',
      { class: 'setting-row' },
      h('span', { class: 'setting-text' }, h('label', { class: 'setting-label', text: label, attrs: { for: id } }), h('span', { class: 'setting-help', text: help, attrs: { id: `${id}-help` } })),
      button,
    );
  }

  #select(label: string, testId: string, options: [string, string][], value: string, onChange: (value: string) => void): HTMLElement {
    const select = h('select', { class: 'select small', attrs: { id: testId, 'data-testid': testId } }, ...options.map(([v, text]) => h('option', { text, attrs: { value: v } })));
    select.value = value;
    select.addEventListener('change', () => onChange(select.value));
    return h('div', { class: 'setting-row' }, h('label', { class: 'setting-label', text: label, attrs: { for: testId } }), select);
  }
}
