/**
 * The "End-to-end encrypted" badge of the meeting header with the security code, and the dialog that says
 * what the code is for. While this device has no key yet the badge says so, and when the MLS group and the
 * meeting disagree about who is here (for longer than a join takes) it warns, naming the people concerned.
 */
import type { EncryptionSnapshot, Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { isolate } from '../bidi.ts';
import { icon } from '../icons.ts';
import { formatList, t } from '../i18n/index.ts';

export function encryptionStateText(snapshot: EncryptionSnapshot | null): string {
  if (!snapshot || snapshot.state === 'no-key') return t('e2ee.securing');
  if (snapshot.state === 'closed') return t('e2ee.stopped');
  return t('e2ee.encrypted');
}

/** Names for the roster warning; ids the meeting does not know (someone only the group has) stay unnamed. */
export function rosterWarningText(room: Room, snapshot: EncryptionSnapshot | null): string | null {
  if (!snapshot) return null;
  const name = (id: string) => room.state.participants.get(id)?.name;
  const parts: string[] = [];
  const missing = snapshot.roster.missingFromGroup.map((id) => isolate(name(id) ?? t('e2ee.someone')));
  if (missing.length) parts.push(t('e2ee.roster.missing', { names: formatList(missing), count: missing.length }));
  const extra = snapshot.roster.unknownInGroup.length;
  if (extra) parts.push(t('e2ee.roster.unknown', { count: extra }));
  return parts.length ? parts.join(' ') : null;
}

export class EncryptionBadge {
  readonly element: HTMLElement;
  readonly #label = h('span', { attrs: { 'data-testid': 'e2ee-state' } });
  readonly #code = h('span', { class: 'mono security-code', attrs: { 'data-testid': 'security-code' } });
  readonly #button: HTMLButtonElement;
  readonly #warning = h('span', { class: 'pill warn', attrs: { role: 'alert', hidden: true, 'data-testid': 'roster-warning' } });
  readonly #off: (() => void)[] = [];

  constructor(readonly room: Room) {
    this.#button = h(
      'button',
      { class: 'pill e2ee-badge', attrs: { type: 'button', 'data-testid': 'e2ee-badge', 'aria-haspopup': 'dialog' }, on: { click: () => this.#explain() } },
      icon('lock', 'icon small'),
      this.#label,
      // A space between the words and the digits, so that the text read from the badge is the start of its name.
      ' ',
      this.#code,
    );
    this.element = h('span', { class: 'e2ee-header' }, this.#button, this.#warning);
    const encryption = room.encryption;
    if (encryption) this.#off.push(encryption.on('changed', () => this.render()));
    for (const event of ['participant-joined', 'participant-left', 'participant-updated', 'reset'] as const) this.#off.push(room.state.on(event, () => this.render()));
    this.render();
  }

  render(): void {
    const snapshot = this.room.encryption?.snapshot() ?? null;
    const ready = snapshot?.state === 'ready';
    this.#label.textContent = encryptionStateText(snapshot);
    this.#code.textContent = ready ? (snapshot.securityCode ?? '') : '';
    this.#code.hidden = !ready;
    this.#button.classList.toggle('securing', !ready);
    // The name begins with what the badge shows (WCAG 2.5.3), then says what the digits are.
    this.#button.setAttribute('aria-label', ready ? t('e2ee.badge.label', { state: encryptionStateText(snapshot), code: snapshot.securityCode ?? '' }) : encryptionStateText(snapshot));
    const warning = rosterWarningText(this.room, snapshot);
    this.#warning.textContent = warning ?? '';
    this.#warning.hidden = warning === null;
  }

  dispose(): void {
    for (const off of this.#off.splice(0)) off();
  }

  #explain(): void {
    const snapshot = this.room.encryption?.snapshot() ?? null;
    const code = snapshot?.state === 'ready' ? (snapshot.securityCode ?? '') : null;
    const close = h('button', { class: 'button wide', text: t('common.close'), attrs: { type: 'button', 'data-testid': 'e2ee-dialog-close' } });
    const dialog = h(
      'dialog',
      { class: 'dialog', attrs: { 'aria-labelledby': 'e2ee-title', 'data-testid': 'e2ee-dialog' } },
      h('h2', { text: t('e2ee.encrypted'), attrs: { id: 'e2ee-title' } }),
      h('p', { text: t('e2ee.dialog.text') }),
      code
        ? h('p', { class: 'security-code large mono', text: code, attrs: { 'data-testid': 'e2ee-dialog-code' } })
        : h('p', { class: 'muted', text: t('e2ee.dialog.no-key') }),
      h('p', { class: 'muted', text: t('e2ee.dialog.compare') }),
      h('div', { class: 'dialog-stack' }, close),
    );
    const finish = () => {
      if (dialog.open) dialog.close();
      dialog.remove();
    };
    dialog.addEventListener('close', () => dialog.remove());
    close.addEventListener('click', finish);
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();
  }
}
