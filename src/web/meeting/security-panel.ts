/**
 * Every protection of the meeting and its state in one place, for hosts and co-hosts.
 * Changes go to the server; the switches move only when the server's `settings`
 * push says so, so what is shown is what is enforced.
 */
import type { Room } from '../../client/index.ts';
import type { MeetingSettings } from '../../protocol/index.ts';
import { append, copyText, h } from '../dom.ts';
import { icon } from '../icons.ts';
import { meetingLink } from '../links.ts';
import type { Toaster } from '../toast.ts';
import { encryptionStateText, rosterWarningText } from './encryption-badge.ts';

type BoolSetting = 'waitingRoom' | 'locked' | 'privateChat' | 'muteOnEntry' | 'allowUnmute' | 'allowRename';

const SWITCHES: { key: BoolSetting; label: string; help: string }[] = [
  { key: 'waitingRoom', label: 'Waiting room', help: 'People wait until a host admits them.' },
  { key: 'locked', label: 'Lock meeting', help: 'No one new can join, not even with the passcode.' },
  { key: 'muteOnEntry', label: 'Mute on entry', help: 'Participants join with their microphone off.' },
  { key: 'allowUnmute', label: 'Participants may unmute', help: 'When off, only hosts can turn microphones on.' },
  { key: 'privateChat', label: 'Private chat', help: 'Participants may message each other privately.' },
  { key: 'allowRename', label: 'Participants may rename', help: 'Let people change their display name.' },
];

export class SecurityPanel {
  readonly element = h('div', { class: 'panel-body security-panel', attrs: { 'data-testid': 'security-panel' } });
  /** Kept across renders and updated on its own: encryption changes often, the settings rarely. */
  readonly #encryption = h('section', { class: 'setting-block', attrs: { 'data-testid': 'encryption-block' } });

  constructor(
    readonly room: Room,
    readonly meetingId: string,
    readonly toaster: Toaster,
  ) {
    const s = room.state;
    for (const event of ['settings', 'passcode', 'reset', 'participant-updated'] as const) s.on(event, () => this.render());
    for (const event of ['participant-joined', 'participant-left'] as const) s.on(event, () => this.#renderEncryption());
    room.encryption?.on('changed', () => this.#renderEncryption());
    this.#renderEncryption();
    this.render();
  }

  #renderEncryption(): void {
    const snapshot = this.room.encryption?.snapshot() ?? null;
    const ready = snapshot?.state === 'ready';
    const warning = rosterWarningText(this.room, snapshot);
    this.#encryption.replaceChildren();
    append(
      this.#encryption,
      h('h3', { text: 'Encryption' }),
      h('p', { text: encryptionStateText(snapshot), attrs: { 'data-testid': 'encryption-state', 'data-state': snapshot?.state ?? 'no-key' } }),
      ready ? h('p', { class: 'security-code mono', text: snapshot.securityCode ?? '', attrs: { 'data-testid': 'encryption-code' } }) : null,
      h('p', {
        class: 'setting-help',
        text: 'Media and chat are encrypted on each device (MLS and SFrame); the servers cannot read them. Compare the security code aloud with the others: everyone should see the same code. It changes when someone joins or leaves.',
      }),
      warning ? h('p', { class: 'pill warn', text: warning, attrs: { role: 'alert' } }) : null,
    );
  }

  render(): void {
    const s = this.room.state;
    const settings = s.settings;
    if (!settings || !s.isHost) {
      this.element.replaceChildren(h('p', { class: 'muted', text: 'Only hosts and co-hosts can change the security settings.' }), this.#encryption);
      return;
    }
    const focused = document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement.dataset.testid : undefined;
    const passcode = s.passcode;
    const passcodeRow = h(
      'section',
      { class: 'setting-block' },
      h('h3', { text: 'Passcode' }),
      h('p', { class: 'passcode mono', text: passcode ?? 'Hidden', attrs: { 'data-testid': 'passcode-value' } }),
      h(
        'div',
        { class: 'actions' },
        h('button', {
          class: 'button tiny secondary',
          attrs: { type: 'button', 'data-testid': 'copy-meeting-link', disabled: passcode === null },
          text: 'Copy meeting link',
          on: {
            click: async () => {
              if (!passcode) return;
              const ok = await copyText(meetingLink(location.origin, this.meetingId, passcode));
              this.toaster.show(ok ? 'Meeting link copied' : 'Could not copy the link');
            },
          },
        }),
        h('button', {
          class: 'button tiny ghost',
          text: 'New passcode',
          attrs: { type: 'button', 'data-testid': 'regenerate-passcode' },
          on: {
            click: () => {
              if (!confirm('Make a new passcode? The old meeting link stops working for people who have not joined yet.')) return;
              this.room.host.regeneratePasscode().catch(() => this.toaster.show('Could not make a new passcode'));
            },
          },
        }),
      ),
    );

    const switches = SWITCHES.map((sw) => this.#switch(sw.key, sw.label, sw.help, settings));
    const shareSelect = this.#select(
      'Who can share their screen',
      'setting-screenShare',
      [
        ['host-only', 'Hosts only'],
        ['named', 'Hosts and people they allow'],
        ['everyone', 'Everyone'],
      ],
      settings.screenShare,
      (value) => this.#update({ screenShare: value as MeetingSettings['screenShare'] }),
    );
    const chatSelect = this.#select(
      'Chat',
      'setting-chat',
      [
        ['everyone', 'Everyone can send'],
        ['host-only', 'Only hosts can send'],
        ['off', 'Off'],
      ],
      settings.chat,
      (value) => this.#update({ chat: value as MeetingSettings['chat'] }),
    );
    this.element.replaceChildren(
      h('p', { class: 'panel-intro' }, icon('shield', 'icon small'), ' These protections apply to everyone in this meeting.'),
      passcodeRow,
      h('section', { class: 'setting-block' }, h('h3', { text: 'Entry and audio' }), ...switches.slice(0, 4)),
      h('section', { class: 'setting-block' }, h('h3', { text: 'Sharing and chat' }), shareSelect, chatSelect, ...switches.slice(4)),
      this.#encryption,
    );
    if (focused) this.element.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  }

  #update(settings: Partial<MeetingSettings>): void {
    this.room.host.updateSettings(settings).catch(() => {
      this.toaster.show('The setting could not be changed');
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
