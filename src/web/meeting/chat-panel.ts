/**
 * Chat. Messages are text nodes only; addresses become buttons that go through the
 * confirmation dialog. Honours the meeting's chat mode and private-chat setting.
 */
import type { ChatMessage, Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { bdi, typedTextAttrs } from '../bidi.ts';
import { icon } from '../icons.ts';
import { formatTime, t, tNodes } from '../i18n/index.ts';
import { splitLinks } from '../links.ts';
import { confirmOpenLink } from './link-dialog.ts';

export class ChatPanel {
  readonly element: HTMLElement;
  readonly #list = h('ol', { class: 'chat-list', attrs: { 'aria-live': 'polite', 'aria-label': t('chat.list'), 'data-testid': 'chat-list' } });
  readonly #input = h('textarea', { class: 'input chat-input', attrs: { rows: 1, maxlength: 4000, dir: 'auto', placeholder: t('chat.placeholder'), 'aria-label': t('chat.input'), 'data-testid': 'chat-input' } });
  readonly #to = h('select', { class: 'select small', attrs: { 'aria-label': t('chat.to'), 'data-testid': 'chat-to' } });
  readonly #send = h('button', { class: 'icon-button accent', attrs: { type: 'submit', 'aria-label': t('chat.send'), 'data-testid': 'chat-send' } }, icon('send'));
  readonly #note = h('p', { class: 'chat-note' });
  readonly #rows = new Map<number, HTMLElement>();
  onUnread: (() => void) | null = null;
  readonly #offs: (() => void)[] = [];

  constructor(readonly room: Room) {
    const form = h(
      'form',
      {
        class: 'chat-form',
        on: {
          submit: (event) => {
            event.preventDefault();
            this.#submit();
          },
        },
      },
      this.#to,
      h('div', { class: 'chat-compose' }, this.#input, this.#send),
    );
    this.#input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.#submit();
      }
    });
    this.element = h('div', { class: 'panel-body chat-panel' }, this.#list, this.#note, form);
    const s = room.state;
    for (const m of s.chat) this.#add(m);
    this.#offs.push(
      s.on('chat', (m) => {
        this.#add(m);
        if (!m.own) this.onUnread?.();
      }),
      s.on('chat-updated', (m) => this.#rows.get(m.seq)?.classList.toggle('failed', m.failed === true)),
    );
    for (const event of ['settings', 'participant-joined', 'participant-left', 'participant-updated', 'reset'] as const) this.#offs.push(s.on(event, () => this.#updateControls()));
    this.#updateControls();
  }

  focus(): void {
    this.#input.focus();
  }

  /** Stops following the room (the meeting view is drawn anew, e.g. in another language). */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  #submit(): void {
    const text = this.#input.value.trim();
    if (!text || this.#send.disabled) return;
    this.#input.value = '';
    const to = this.#to.value || undefined;
    void this.room.sendChat(text, to);
  }

  #updateControls(): void {
    const s = this.room.state;
    const mode = s.settings?.chat ?? 'everyone';
    const canSend = mode === 'everyone' || (mode === 'host-only' && s.isHost);
    this.#input.disabled = !canSend;
    this.#send.disabled = !canSend;
    this.#note.textContent = mode === 'off' ? t('chat.off') : mode === 'host-only' && !s.isHost ? t('chat.host-only') : '';
    this.#note.hidden = this.#note.textContent === '';
    const selected = this.#to.value;
    const options = [h('option', { text: t('chat.everyone'), attrs: { value: '' } })];
    if (s.settings?.privateChat || s.isHost) {
      for (const p of s.participants.values()) {
        if (p.id === s.selfId) continue;
        options.push(h('option', { text: p.name, attrs: { value: p.id, ...typedTextAttrs } }));
      }
    }
    this.#to.replaceChildren(...options);
    this.#to.value = options.some((o) => o.value === selected) ? selected : '';
    this.#to.hidden = options.length === 1;
  }

  #add(m: ChatMessage): void {
    const s = this.room.state;
    const time = formatTime(new Date(m.sentAt));
    // Names in <bdi> and the text with dir=auto: a right-to-left name or message cannot reorder what is around it.
    const from = m.to
      ? m.own
        ? tNodes('chat.from.own-to', { name: bdi(s.participants.get(m.to)?.name ?? t('chat.someone')) })
        : tNodes('chat.from.private', { name: bdi(m.fromName) })
      : [m.own ? t('chat.from.own') : bdi(m.fromName)];
    const text = h('p', { class: 'chat-text', attrs: typedTextAttrs });
    if (m.body.kind === 'text') {
      for (const part of splitLinks(m.body.text)) {
        if (part.kind === 'text') text.append(part.text);
        else {
          text.append(
            h('button', {
              class: 'link-button',
              text: part.text,
              attrs: { type: 'button', title: t('chat.link.title'), 'data-testid': 'chat-link' },
              on: { click: () => confirmOpenLink(part.href) },
            }),
          );
        }
      }
    } else {
      text.textContent = t('chat.undecryptable');
      text.classList.add('muted');
    }
    const row = h(
      'li',
      { class: `chat-message${m.own ? ' own' : ''}${m.to ? ' private' : ''}`, attrs: { 'data-testid': 'chat-message', 'data-from': m.from } },
      h('div', { class: 'chat-meta' }, h('span', { class: 'chat-from' }, ...from), h('time', { text: time, attrs: { datetime: new Date(m.sentAt).toISOString() } })),
      text,
    );
    this.#rows.set(m.seq, row);
    const atBottom = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    this.#list.appendChild(row);
    while (this.#list.children.length > 500) {
      this.#list.firstElementChild?.remove();
    }
    if (atBottom || m.own) this.#list.scrollTop = this.#list.scrollHeight;
  }
}
