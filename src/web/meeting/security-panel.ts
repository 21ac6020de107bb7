/**
 * Every protection of the meeting and its state in one place, for hosts and co-hosts.
 * Changes go to the server; the switches move only when the server's `settings`
 * push says so, so what is shown is what is enforced.
 */
import type { Room } from '../../client/index.ts';
import type { MeetingSettings } from '../../protocol/index.ts';
import { copyText, h } from '../dom.ts';
import { icon } from '../icons.ts';
import { meetingLink } from '../links.ts';
import type { Toaster } from '../toast.ts';

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

  constructor(
    readonly room: Room,
    readonly meetingId: string,
    readonly toaster: Toaster,
    readonly encryption: () => string,
  ) {
    const s = room.state;
    for (const event of ['settings', 'passcode', 'reset', 'participant-updated'] as const) s.on(event, () => this.render());
    this.render();
  }

  render(): void {
    const s = this.room.state;
    const settings = s.settings;
    if (!settings || !s.isHost) {
      this.element.replaceChildren(h('p', { class: 'muted', text: 'Only hosts and co-hosts can change security settings.' }));
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
    const encryption = h(
      'section',
      { class: 'setting-block' },
      h('h3', { text: 'Encryption' }),
      h('p', { class: 'muted', text: this.encryption(), attrs: { 'data-testid': 'encryption-state' } }),
    );
    this.element.replaceChildren(
      h('p', { class: 'panel-intro' }, icon('shield', 'icon small'), ' These protections apply to everyone in this meeting.'),
      passcodeRow,
      h('section', { class: 'setting-block' }, h('h3', { text: 'Entry and audio' }), ...switches.slice(0, 4)),
      h('section', { class: 'setting-block' }, h('h3', { text: 'Sharing and chat' }), shareSelect, chatSelect, ...switches.slice(4)),
      encryption,
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
