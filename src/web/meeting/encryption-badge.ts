/**
 * The "End-to-end encrypted" badge of the meeting header with the security code, and the dialog that says
 * what the code is for. While this device has no key yet the badge says so, and when the MLS group and the
 * meeting disagree about who is here (for longer than a join takes) it warns, naming the people concerned.
 */
import type { EncryptionSnapshot, Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { isolate } from '../bidi.ts';
import { icon } from '../icons.ts';

export function encryptionStateText(snapshot: EncryptionSnapshot | null): string {
  if (!snapshot || snapshot.state === 'no-key') return 'Securing the meeting…';
  if (snapshot.state === 'closed') return 'Encryption stopped';
  return 'End-to-end encrypted';
}

/** Names for the roster warning; ids the meeting does not know (someone only the group has) stay unnamed. */
export function rosterWarningText(room: Room, snapshot: EncryptionSnapshot | null): string | null {
  if (!snapshot) return null;
  const name = (id: string) => room.state.participants.get(id)?.name;
  const parts: string[] = [];
  const missing = snapshot.roster.missingFromGroup.map((id) => isolate(name(id) ?? 'someone'));
  if (missing.length) parts.push(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in the meeting but ${missing.length === 1 ? 'does' : 'do'} not have the meeting keys.`);
  const extra = snapshot.roster.unknownInGroup.length;
  if (extra) parts.push(`${extra === 1 ? 'Someone who is' : `${extra} people who are`} not in the meeting ${extra === 1 ? 'holds' : 'hold'} the meeting keys.`);
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
    this.#button.setAttribute('aria-label', ready ? `${encryptionStateText(snapshot)} ${snapshot.securityCode ?? ''}: the security code. What is this?` : encryptionStateText(snapshot));
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
    const close = h('button', { class: 'button wide', text: 'Close', attrs: { type: 'button', 'data-testid': 'e2ee-dialog-close' } });
    const dialog = h(
      'dialog',
      { class: 'dialog', attrs: { 'aria-labelledby': 'e2ee-title', 'data-testid': 'e2ee-dialog' } },
      h('h2', { text: 'End-to-end encrypted', attrs: { id: 'e2ee-title' } }),
      h('p', {
        text: 'Audio, video, screen sharing and chat are encrypted on each device with keys that only the people in this meeting hold. The Sabha server and the media server carry them but cannot read them.',
      }),
      code
        ? h('p', { class: 'security-code large mono', text: code, attrs: { 'data-testid': 'e2ee-dialog-code' } })
        : h('p', { class: 'muted', text: 'This device is still getting the meeting keys.' }),
      h('p', {
        class: 'muted',
        text: 'To check that nobody else is listening in, read this security code aloud and compare it with what the others see. Everyone in the meeting should see the same code. It changes whenever someone joins or leaves, so compare it again after that.',
      }),
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
