/**
 * "Share this link": a host alone in a new meeting is shown the participant link (passcode only, never the
 * host secret: `meetingLink` without one) with a Copy button, until someone else joins or the host closes it.
 * Once anyone else has been in the meeting it does not come back: it is a prompt for the start, not a nag.
 */
import type { Room } from '../../client/index.ts';
import { copyText, h } from '../dom.ts';
import { icon } from '../icons.ts';
import { t } from '../i18n/index.ts';
import { meetingLink } from '../links.ts';
import type { Toaster } from '../toast.ts';

export class ShareLinkCard {
  readonly element: HTMLElement;
  readonly #address = h('p', { class: 'link-address mono', attrs: { 'data-testid': 'share-link-address' } });
  #done = false;
  readonly #offs: (() => void)[];

  constructor(
    readonly room: Room,
    readonly meetingId: string,
    readonly toaster: Toaster,
  ) {
    const copy = h('button', { class: 'button primary tiny', text: t('share-link.copy'), attrs: { type: 'button', 'data-testid': 'share-link-copy' } });
    copy.addEventListener('click', async () => {
      const link = this.#link();
      if (!link) return;
      const ok = await copyText(link);
      this.toaster.show(t(ok ? 'share-link.copied' : 'share-link.copy-failed'));
    });
    const close = h('button', { class: 'icon-button', attrs: { type: 'button', 'aria-label': t('common.close'), 'data-testid': 'share-link-close' } }, icon('close', 'icon small'));
    close.addEventListener('click', () => this.#finish());
    this.element = h(
      'section',
      { class: 'share-link-card', attrs: { 'aria-labelledby': 'share-link-title', 'data-testid': 'share-link-card', hidden: true } },
      h('div', { class: 'share-link-head' }, h('h2', { text: t('share-link.title'), attrs: { id: 'share-link-title' } }), close),
      h('p', { class: 'muted small', text: t('share-link.text') }),
      this.#address,
      h('div', { class: 'actions' }, copy),
    );
    const s = room.state;
    this.#offs = (['reset', 'participant-joined', 'participant-left', 'participant-updated', 'passcode'] as const).map((event) => s.on(event, () => this.render()));
    this.render();
  }

  /** The participant link, or null while the passcode is unknown (only hosts are told it). */
  #link(): string | null {
    const passcode = this.room.state.passcode;
    return passcode ? meetingLink(location.origin, this.meetingId, passcode) : null;
  }

  render(): void {
    const s = this.room.state;
    if (s.participants.size > 1) this.#done = true;
    const link = this.#link();
    this.#address.textContent = link ?? '';
    this.element.hidden = this.#done || s.role !== 'host' || link === null;
  }

  #finish(): void {
    this.#done = true;
    this.element.hidden = true;
  }

  dispose(): void {
    for (const off of this.#offs) off();
  }
}
