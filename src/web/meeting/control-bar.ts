/** The bottom bar: microphone, camera, screen, leave; the layout switch, people, chat, polls, security. */
import type { Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { icon, type IconName } from '../icons.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import type { LayoutMode } from './layout/layout-preferences.ts';
import { canShareScreen } from './screen-share-support.ts';


export type PanelName = 'chat' | 'participants' | 'security' | 'polls';

/** The panel buttons' names (the unread count is added to the name, never to the visible label). */
const PANEL_LABELS = { chat: 'bar.chat', participants: 'bar.people', security: 'bar.security', polls: 'bar.polls' } as const satisfies Record<PanelName, PlainKey>;

interface ToggleButton {
  button: HTMLButtonElement;
  set(on: boolean, label: string, iconName: IconName, off?: boolean): void;
}

function toggleButton(testId: string, onClick: () => void, extraClass = ''): ToggleButton {
  const button = h('button', { class: `round-button ${extraClass}`, attrs: { type: 'button', 'data-testid': testId } });
  button.addEventListener('click', onClick);
  return {
    button,
    set(pressed, label, iconName, off = false) {
      const badge = button.querySelector('.badge');
      button.replaceChildren(icon(iconName), ...(badge ? [badge] : []));
      button.setAttribute('aria-label', label);
      button.title = label;
      button.setAttribute('aria-pressed', String(pressed));
      button.classList.toggle('off', off);
      button.classList.toggle('active', pressed && !off);
    },
  };
}

export class ControlBar {
  readonly element: HTMLElement;
  readonly #mic: ToggleButton;
  readonly #cam: ToggleButton;
  readonly #share: ToggleButton;
  /** The reason the share button is unavailable: visible on hover and focus, and the button's description. */
  readonly #shareReason = h('span', { class: 'tooltip', text: t('bar.share.not-allowed'), attrs: { role: 'tooltip', id: 'share-screen-reason', 'data-testid': 'share-screen-reason' } });
  readonly #shareSupported = canShareScreen();
  readonly #panels: Record<PanelName, ToggleButton>;
  readonly #layout: ToggleButton;
  readonly #leave: HTMLButtonElement;
  #openPanel: PanelName | null = null;
  #layoutMode: LayoutMode = 'grid';
  readonly #badges: Record<PanelName, number> = { chat: 0, participants: 0, security: 0, polls: 0 };
  readonly #offs: (() => void)[] = [];

  constructor(
    readonly room: Room,
    readonly actions: { togglePanel(panel: PanelName): void; leave(): void; shareScreen(): void; toggleLayout(): void },
    /** In-meeting controls made elsewhere: device menus beside the microphone and camera, raise hand, reactions. */
    extras: { micMenu?: HTMLElement; cameraMenu?: HTMLElement; beforeLeave?: HTMLElement[] } = {},
  ) {
    const media = room.options.localMedia;
    this.#mic = toggleButton('mic-button', () => room.setMicEnabled(!media.micEnabled), 'neutral');
    this.#cam = toggleButton('camera-button', () => void room.setCameraEnabled(!(media.cameraEnabled && media.videoTrack)), 'neutral');
    // Not `disabled` when not allowed: a disabled button cannot take focus, so its reason could only be hovered.
    this.#share = toggleButton('share-screen', () => {
      if (this.#share.button.getAttribute('aria-disabled') !== 'true') actions.shareScreen();
    });
    this.#panels = {
      chat: toggleButton('chat-button', () => actions.togglePanel('chat')),
      participants: toggleButton('participants-button', () => actions.togglePanel('participants')),
      security: toggleButton('security-button', () => actions.togglePanel('security')),
      polls: toggleButton('polls-button', () => actions.togglePanel('polls')),
    };
    this.#layout = toggleButton('layout-switch', () => actions.toggleLayout());
    this.#leave = h('button', { class: 'leave-button', attrs: { type: 'button', 'data-testid': 'leave-button', 'aria-label': t('bar.leave'), title: t('bar.leave') } }, icon('leave'));
    this.#leave.addEventListener('click', () => actions.leave());
    // The footer is the page's contentinfo landmark; the toolbar inside it keeps the controls' grouping.
    this.element = h(
      'footer',
      { class: 'meeting-footer' },
      h(
        'div',
        { class: 'control-bar', attrs: { role: 'toolbar', 'aria-label': t('bar.controls') } },
        h(
          'div',
          { class: 'bar-group' },
          h('span', { class: 'device-pair' }, this.#mic.button, extras.micMenu),
          h('span', { class: 'device-pair' }, this.#cam.button, extras.cameraMenu),
          h('span', { class: 'tooltip-anchor', attrs: { hidden: !this.#shareSupported } }, this.#share.button, this.#shareReason),
          ...(extras.beforeLeave ?? []),
          this.#leave,
        ),
        h('div', { class: 'bar-group bar-right' }, this.#layout.button, this.#panels.participants.button, this.#panels.chat.button, this.#panels.polls.button, this.#panels.security.button),
      ),
    );
    const update = () => this.render();
    this.#offs.push(media.on('state', update), media.on('track', update), room.on('local-screen', update));
    for (const e of ['settings', 'participant-updated', 'reset'] as const) this.#offs.push(room.state.on(e, update));
    this.render();
  }

  /** Stops following the room (the meeting view is drawn anew, e.g. in another language). */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  setOpenPanel(panel: PanelName | null): void {
    this.#openPanel = panel;
    this.render();
  }

  /** Shows which view is on: the switch is a toggle named "Speaker view", pressed in speaker view. */
  setLayoutMode(mode: LayoutMode): void {
    this.#layoutMode = mode;
    this.render();
  }

  setBadge(panel: PanelName, count: number): void {
    this.#badges[panel] = count;
    const button = this.#panels[panel].button;
    button.querySelector('.badge')?.remove();
    if (count > 0) button.appendChild(h('span', { class: 'badge', text: count > 99 ? '99+' : String(count), attrs: { 'aria-hidden': 'true' } }));
    this.#nameWithBadge(panel);
  }

  /** The panel button's name says the unread count its badge shows (a render must not drop it). */
  #nameWithBadge(panel: PanelName): void {
    const base = t(PANEL_LABELS[panel]);
    const count = this.#badges[panel];
    this.#panels[panel].button.setAttribute('aria-label', count > 0 ? t('bar.badge.new', { label: base, count }) : base);
  }

  render(): void {
    const room = this.room;
    const media = room.options.localMedia;
    const s = room.state;
    const micOn = media.micEnabled && media.audioTrack !== null;
    const camOn = media.cameraEnabled && media.videoTrack !== null;
    this.#mic.set(micOn, t(micOn ? 'media.mic.off' : 'media.mic.on'), micOn ? 'mic' : 'mic-off', !micOn);
    this.#cam.set(camOn, t(camOn ? 'media.camera.off' : 'media.camera.on'), camOn ? 'camera' : 'camera-off', !camOn);
    const sharing = room.screenTrack !== null;
    this.#share.set(sharing, t(sharing ? 'bar.share.stop' : 'bar.share.start'), 'screen');
    const mayShare = s.isHost || s.self?.mayShareScreen === true;
    const unavailable = !sharing && !mayShare;
    this.#share.button.setAttribute('aria-disabled', String(unavailable));
    this.#share.button.classList.toggle('unavailable', unavailable);
    this.#shareReason.hidden = !unavailable;
    if (unavailable) {
      this.#share.button.setAttribute('aria-describedby', this.#shareReason.id);
      // The tooltip says it; a title would show the same text a second time.
      this.#share.button.removeAttribute('title');
    } else this.#share.button.removeAttribute('aria-describedby');
    this.#layout.set(this.#layoutMode === 'speaker', t('bar.speaker-view'), this.#layoutMode === 'speaker' ? 'speaker' : 'grid');
    this.#panels.participants.set(this.#openPanel === 'participants', t(PANEL_LABELS.participants), 'people');
    this.#panels.chat.set(this.#openPanel === 'chat', t(PANEL_LABELS.chat), 'chat');
    this.#panels.security.set(this.#openPanel === 'security', t(PANEL_LABELS.security), 'shield');
    this.#panels.polls.set(this.#openPanel === 'polls', t(PANEL_LABELS.polls), 'poll');
    for (const panel of ['chat', 'participants', 'security', 'polls'] as const) this.#nameWithBadge(panel);
    // Everyone sees the security panel: the encryption state and code are for all; only hosts get the switches.
    this.#panels.security.button.hidden = false;
  }
}
