/** The in-meeting screen: top bar, tile grid, one side panel at a time, control bar. */
import type { Room } from '../../client/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import type { Toaster } from '../toast.ts';
import { ChatPanel } from './chat-panel.ts';
import { ControlBar, type PanelName } from './control-bar.ts';
import { EncryptionBadge } from './encryption-badge.ts';
import { LayoutController } from './layout/layout-controller.ts';
import { showHostLeaveDialog } from './leave-dialog.ts';
import { ParticipantsPanel } from './participants-panel.ts';
import { screenShareErrorText } from './screen-share-support.ts';
import { SecurityPanel } from './security-panel.ts';
import { ShareLinkCard } from './share-link-card.ts';
import { WaitingNotifier } from './waiting-notifier.ts';

const PANEL_TITLES: Record<PanelName, string> = { chat: 'In-meeting messages', participants: 'People', security: 'Security' };

export function meetingView(room: Room, meetingId: string, toaster: Toaster): { element: HTMLElement; dispose(): void } {
  const grid = new LayoutController(room);
  grid.onError = (text) => toaster.show(text);
  const chat = new ChatPanel(room);
  const people = new ParticipantsPanel(room, toaster);
  people.pins = { pinned: () => grid.pinned, toggle: (id) => grid.togglePin(id) };
  const security = new SecurityPanel(room, meetingId, toaster);
  const badge = new EncryptionBadge(room);
  const panelTitle = h('h2', { class: 'panel-title', attrs: { id: 'panel-title' } });
  const panelBody = h('div', { class: 'panel-content' });
  const closePanel = h('button', { class: 'icon-button', attrs: { type: 'button', 'aria-label': 'Close panel', 'data-testid': 'panel-close' } }, icon('close'));
  const panel = h('aside', { class: 'side-panel', attrs: { 'aria-labelledby': 'panel-title', hidden: true } }, h('div', { class: 'panel-head' }, panelTitle, closePanel), panelBody);
  let open: PanelName | null = null;
  let unread = 0;

  const bar = new ControlBar(room, {
    togglePanel: (name) => setPanel(open === name ? null : name),
    leave: () => {
      if (room.state.role === 'host') showHostLeaveDialog(room, (text) => toaster.show(text));
      else void room.leave();
    },
    shareScreen: () => {
      if (room.screenTrack) {
        room.stopScreenShare();
        return;
      }
      // A refusal by the server comes as a notice (app.ts says it); the browser's own failures (picker
      // cancelled, no display to capture) only as this rejection, so they are said here.
      let refused = false;
      const offNotice = room.on('notice', (notice) => (refused ||= notice.kind === 'screen-share-refused'));
      room
        .startScreenShare()
        .catch((error: unknown) => {
          if (!refused) toaster.show(screenShareErrorText(error));
        })
        .finally(offNotice);
    },
    toggleLayout: () => grid.setMode(grid.mode === 'speaker' ? 'grid' : 'speaker'),
  });
  const showLayout = () => bar.setLayoutMode(grid.mode);
  const offLayout = grid.preferences.on('changed', () => {
    showLayout();
    // The panel's Pin / Unpin buttons follow the pin.
    people.render();
  });
  showLayout();

  function setPanel(name: PanelName | null): void {
    open = name;
    panel.hidden = name === null;
    if (name) {
      panelTitle.textContent = PANEL_TITLES[name];
      panelBody.replaceChildren(name === 'chat' ? chat.element : name === 'participants' ? people.element : security.element);
      panel.dataset.panel = name;
    }
    if (name === 'chat') {
      unread = 0;
      bar.setBadge('chat', 0);
      chat.focus();
    }
    bar.setOpenPanel(name);
  }
  closePanel.addEventListener('click', () => setPanel(null));
  chat.onUnread = () => {
    if (open === 'chat') return;
    unread += 1;
    bar.setBadge('chat', unread);
  };
  people.onWaitingChanged = (count) => bar.setBadge('participants', count);
  people.render();
  // "X is waiting to join" with Admit and View all, for hosts and co-hosts.
  const waitingNotifier = new WaitingNotifier(room, toaster, () => setPanel('participants'));
  const shareLink = new ShareLinkCard(room, meetingId, toaster);

  // The meeting's title is the page's one level-one heading.
  const title = h('h1', { class: 'meeting-title', attrs: { ...typedTextAttrs, 'data-testid': 'meeting-title' } });
  const clock = h('span', { class: 'meeting-clock', attrs: { 'aria-label': 'Meeting duration' } });
  const lockBadge = h('span', { class: 'pill', attrs: { hidden: true } }, icon('lock', 'icon small'), 'Locked');
  const connection = h('span', { class: 'pill warn', text: 'Reconnecting…', attrs: { hidden: true, role: 'status' } });
  const top = h('header', { class: 'meeting-top' }, title, clock, badge.element, lockBadge, connection);
  const renderTop = () => {
    title.textContent = room.state.title || 'Meeting';
    lockBadge.hidden = !room.state.settings?.locked;
  };
  room.state.on('settings', renderTop);
  room.state.on('reset', renderTop);
  renderTop();
  const tick = setInterval(() => {
    const s = Math.max(0, Math.floor((Date.now() - room.state.startedAt) / 1000));
    clock.textContent = `${Math.floor(s / 3600) ? `${Math.floor(s / 3600)}:` : ''}${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }, 1000);
  const offConnection = room.on('connection', (state) => (connection.hidden = state.name !== 'reconnecting'));

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open && !document.querySelector('dialog[open]')) setPanel(null);
    // Ctrl/Cmd+D: microphone, Ctrl/Cmd+E: camera (as people know them from other tools).
    if ((event.ctrlKey || event.metaKey) && (event.key === 'd' || event.key === 'e')) {
      event.preventDefault();
      const media = room.options.localMedia;
      if (event.key === 'd') room.setMicEnabled(!media.micEnabled);
      else void room.setCameraEnabled(!(media.cameraEnabled && media.videoTrack));
    }
  };
  document.addEventListener('keydown', onKey);

  const element = h('div', { class: 'meeting', attrs: { 'data-testid': 'meeting' } }, top, h('div', { class: 'meeting-main' }, h('main', { class: 'stage' }, grid.element, shareLink.element), panel), bar.element);
  return {
    element,
    dispose() {
      clearInterval(tick);
      offLayout();
      grid.dispose();
      waitingNotifier.dispose();
      shareLink.dispose();
      badge.dispose();
      offConnection();
      document.removeEventListener('keydown', onKey);
    },
  };
}
