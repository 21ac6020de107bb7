/**
 * Keyboard shortcuts of the meeting view, and the dialog that lists them (the "?" key or the keyboard button
 * in the top bar). Single letters act only when nobody is typing: never from a text field, a select or
 * editable content, nor while a dialog is open, nor with Ctrl/Alt/Cmd held. Ctrl+D and Ctrl+E (Cmd on a Mac),
 * as people know them from other meeting tools, type nothing in a text field, so they work everywhere.
 * What a shortcut changed is said in a polite live region, for people who cannot see the buttons.
 */
import type { Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { PanelName } from './control-bar.ts';
import { onLanguageChange, t } from '../i18n/index.ts';

export interface ShortcutActions {
  toggleHand(): Promise<boolean>;
  togglePanel(panel: PanelName): void;
}

/** The list shown in the dialog, in the order people look for things. */
type ShortcutText = 'shortcuts.mic' | 'shortcuts.camera' | 'shortcuts.hand' | 'shortcuts.chat' | 'shortcuts.people' | 'shortcuts.help' | 'shortcuts.escape';

export const SHORTCUTS: readonly { keys: readonly string[]; what: ShortcutText }[] = [
  { keys: ['Ctrl + D', 'M'], what: 'shortcuts.mic' },
  { keys: ['Ctrl + E', 'V'], what: 'shortcuts.camera' },
  { keys: ['H'], what: 'shortcuts.hand' },
  { keys: ['C'], what: 'shortcuts.chat' },
  { keys: ['P'], what: 'shortcuts.people' },
  { keys: ['?'], what: 'shortcuts.help' },
  { keys: ['Esc'], what: 'shortcuts.escape' },
];

/** True when a key press belongs to what the person is typing or to an open dialog, not to the meeting. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(target.type);
  return false;
}

export class Shortcuts {
  readonly helpButton: HTMLButtonElement;
  readonly announcer = h('div', { class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'shortcut-announcer' } });
  readonly #room: Room;
  readonly #actions: ShortcutActions;
  readonly #onKey = (event: KeyboardEvent) => void this.#handle(event);
  readonly #offLanguage: () => void;

  constructor(room: Room, actions: ShortcutActions) {
    this.#room = room;
    this.#actions = actions;
    this.helpButton = h('button', { class: 'icon-button shortcuts-button', attrs: { type: 'button', 'data-testid': 'shortcuts-button' } }, icon('keyboard'));
    const writeLabel = () => {
      this.helpButton.setAttribute('aria-label', t('shortcuts.title'));
      this.helpButton.title = t('shortcuts.title');
    };
    writeLabel();
    this.#offLanguage = onLanguageChange(writeLabel);
    this.helpButton.addEventListener('click', () => this.openDialog());
    document.addEventListener('keydown', this.#onKey);
  }

  openDialog(): void {
    if (document.querySelector('[data-testid="shortcuts-dialog"]')) return;
    const close = h('button', { class: 'button secondary', text: t('shortcuts.close'), attrs: { type: 'button', 'data-testid': 'shortcuts-close' } });
    const rows = SHORTCUTS.map((s) =>
      h(
        'tr',
        {},
        h('td', {}, ...s.keys.flatMap((k, i) => [i > 0 ? ' / ' : '', h('kbd', { text: k })])),
        h('td', { text: t(s.what) }),
      ),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', attrs: { 'aria-labelledby': 'shortcuts-title', 'data-testid': 'shortcuts-dialog' } },
      h('h2', { text: t('shortcuts.title'), attrs: { id: 'shortcuts-title' } }),
      h('table', { class: 'shortcuts-table' }, h('tbody', {}, ...rows)),
      h('div', { class: 'actions end' }, close),
    );
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      this.helpButton.focus();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();
  }

  dispose(): void {
    document.removeEventListener('keydown', this.#onKey);
    this.#offLanguage();
  }

  async #handle(event: KeyboardEvent): Promise<void> {
    if (event.defaultPrevented || event.isComposing) return;
    const key = event.key.toLowerCase();
    const command = event.ctrlKey || event.metaKey;
    if (command && !event.altKey && !event.shiftKey && (key === 'd' || key === 'e')) {
      event.preventDefault();
      if (key === 'd') this.#toggleMic();
      else await this.#toggleCamera();
      return;
    }
    if (command || event.altKey || event.repeat) return;
    if (isTypingTarget(event.target) || document.querySelector('dialog[open]')) return;
    const action = this.#letter(key);
    if (!action) return;
    event.preventDefault();
    await action();
  }

  #letter(key: string): (() => void | Promise<void>) | undefined {
    switch (key) {
      case 'm':
        return () => this.#toggleMic();
      case 'v':
        return () => this.#toggleCamera();
      case 'h':
        return async () => this.#say((await this.#actions.toggleHand()) ? t('shortcuts.hand.raised') : t('shortcuts.hand.lowered'));
      case 'c':
        return () => this.#actions.togglePanel('chat');
      case 'p':
        return () => this.#actions.togglePanel('participants');
      case '?':
        return () => this.openDialog();
      default:
        return undefined;
    }
  }

  #toggleMic(): void {
    const media = this.#room.options.localMedia;
    this.#room.setMicEnabled(!media.micEnabled);
    this.#say(media.micEnabled && media.audioTrack ? t('shortcuts.mic.on') : t('shortcuts.mic.off'));
  }

  async #toggleCamera(): Promise<void> {
    const media = this.#room.options.localMedia;
    await this.#room.setCameraEnabled(!(media.cameraEnabled && media.videoTrack));
    this.#say(media.cameraEnabled && media.videoTrack ? t('shortcuts.camera.on') : t('shortcuts.camera.off'));
  }

  #say(text: string): void {
    // Emptied first, so the same words said twice in a row are heard twice.
    this.announcer.textContent = '';
    setTimeout(() => (this.announcer.textContent = text), 50);
  }
}
