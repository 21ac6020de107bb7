/** The in-meeting screen: top bar, tile grid, one side panel at a time, control bar. */
import type { Room } from '../../client/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { icon } from '../icons.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { languageMenu } from '../i18n/language-menu.ts';
import type { Toaster } from '../toast.ts';
import { ChatPanel } from './chat-panel.ts';
import { ControlBar, type PanelName } from './control-bar.ts';
import { EncryptionBadge } from './encryption-badge.ts';
import { LayoutController } from './layout/layout-controller.ts';
import { mediaNotice } from './media-notice.ts';
import { mediaPathNotice } from '../connectivity/media-path-notice.ts';
import { showHostLeaveDialog } from './leave-dialog.ts';
import { ParticipantsPanel } from './participants-panel.ts';
import { PollsPanel } from './polls-panel.ts';
import { screenShareErrorText } from './screen-share-support.ts';
import { SecurityPanel } from './security-panel.ts';
import { ShareLinkCard } from './share-link-card.ts';
import { PeopleVerification } from './verification.ts';
import { showVerifyDialog } from './verify-dialog.ts';
import { WaitingNotifier } from './waiting-notifier.ts';
import { DeviceMenus, SpeakerOutput } from './device-menu.ts';
import { HandsUi } from './hands.ts';
import { ReactionsUi } from './reactions.ts';
import { RecordingUi } from './recording/recording-ui.ts';
import { Shortcuts } from './shortcuts.ts';
import { BreakoutUi } from './breakout/breakout-ui.ts';

const PANEL_TITLES: Record<PanelName, PlainKey> = { chat: 'meeting.panel.chat', participants: 'meeting.panel.participants', security: 'meeting.panel.security', polls: 'meeting.panel.polls' };

export function meetingView(room: Room, meetingId: string, toaster: Toaster): { element: HTMLElement; dispose(): void } {
  const grid = new LayoutController(room);
  grid.onError = (text) => toaster.show(text);
  const chat = new ChatPanel(room);
  const people = new ParticipantsPanel(room, toaster);
  people.pins = { pinned: () => grid.pinned, toggle: (id) => grid.togglePin(id) };
  const security = new SecurityPanel(room, meetingId, toaster);
  // Polls (polls-panel.ts): a badge on the button when someone asks while the panel is closed.
  const polls = new PollsPanel(room, toaster, () => setPanel('polls'));
  polls.onOpened = () => bar.setBadge('polls', open === 'polls' ? 0 : 1);
  // Per-person verification: states in the people list, counts in the security panel.
  const verification = new PeopleVerification(room);
  people.verification = { model: verification, open: (id) => showVerifyDialog(verification, id, toaster) };
  verification.on('changed', () => people.render());
  security.setVerification(verification);
  const badge = new EncryptionBadge(room);
  const panelTitle = h('h2', { class: 'panel-title', attrs: { id: 'panel-title' } });
  const panelBody = h('div', { class: 'panel-content' });
  const closePanel = h('button', { class: 'icon-button', attrs: { type: 'button', 'aria-label': t('meeting.panel.close'), 'data-testid': 'panel-close' } }, icon('close'));
  const panel = h('aside', { class: 'side-panel', attrs: { 'aria-labelledby': 'panel-title', hidden: true } }, h('div', { class: 'panel-head' }, panelTitle, closePanel), panelBody);
  let open: PanelName | null = null;
  let unread = 0;

  // Devices, raise hand and reactions (device-menu.ts, hands.ts, reactions.ts); the queue shows in the people list.
  const devices = new DeviceMenus(room.options.localMedia, toaster);
  const hands = new HandsUi(room, toaster, () => setPanel('participants'), grid.element);
  people.hands = hands;
  hands.onChanged = () => people.render();
  const reactions = new ReactionsUi(room, toaster, grid.element);
  // Recording with everyone's consent (recording/): Record for hosts, the indicator for all, answers from the waiting room.
  const recording = new RecordingUi(room, toaster);
  people.recordingNote = (id) => recording.waitingNote(id);
  recording.onWaitingAnswer = () => people.render();
  // Ctrl+D / M, Ctrl+E / V, H, C, P and "?" (shortcuts.ts).
  const shortcuts = new Shortcuts(room, { toggleHand: () => hands.toggle(), togglePanel: (name) => setPanel(open === name ? null : name) });

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
  }, { micMenu: devices.micButton, cameraMenu: devices.cameraButton, beforeLeave: [hands.button, reactions.button, recording.button] });
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
      panelTitle.textContent = t(PANEL_TITLES[name]);
      panelBody.replaceChildren(name === 'chat' ? chat.element : name === 'participants' ? people.element : name === 'polls' ? polls.element : security.element);
      panel.dataset.panel = name;
    }
    if (name === 'polls') bar.setBadge('polls', 0);
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
  const clock = h('span', { class: 'meeting-clock', attrs: { role: 'timer', 'aria-label': t('meeting.duration') } });
  const lockBadge = h('span', { class: 'pill', attrs: { hidden: true } }, icon('lock', 'icon small'), t('meeting.locked'));
  const connection = h('span', { class: 'pill warn', text: t('meeting.reconnecting'), attrs: { hidden: true, role: 'status' } });
  const media = mediaNotice(room);
  const mediaPath = mediaPathNotice(room);
  const top = h('header', { class: 'meeting-top' }, title, clock, badge.element, recording.indicator.element, lockBadge, connection, media.element, shortcuts.helpButton, languageMenu());
  const renderTop = () => {
    title.textContent = room.state.title || t('meeting.untitled');
    lockBadge.hidden = !room.state.settings?.locked;
  };
  const offTop = [room.state.on('settings', renderTop), room.state.on('reset', renderTop)];
  renderTop();
  const tick = setInterval(() => {
    const s = Math.max(0, Math.floor((Date.now() - room.state.startedAt) / 1000));
    clock.textContent = `${Math.floor(s / 3600) ? `${Math.floor(s / 3600)}:` : ''}${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }, 1000);
  const offConnection = room.on('connection', (state) => (connection.hidden = state.name !== 'reconnecting'));

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && open && !document.querySelector('dialog[open]')) setPanel(null);
  };
  document.addEventListener('keydown', onKey);

  const element = h('div', { class: 'meeting', attrs: { 'data-testid': 'meeting' } }, top, h('div', { class: 'meeting-main' }, h('main', { class: 'stage' }, mediaPath.element, grid.element, shareLink.element, reactions.overlay), panel), bar.element, shortcuts.announcer);
  const speakerOutput = new SpeakerOutput(element, room.options.localMedia);
  // Breakout rooms (breakout/): the button and countdown in the top bar; a room's own stage replaces the grid.
  const breakout = room.breakout ? new BreakoutUi(room, room.breakout, toaster, grid.element) : null;
  if (breakout) shortcuts.helpButton.before(breakout.clock, breakout.button);
  return {
    element,
    dispose() {
      clearInterval(tick);
      for (const off of offTop) off();
      chat.dispose();
      people.dispose();
      security.dispose();
      polls.dispose();
      bar.dispose();
      offLayout();
      grid.dispose();
      waitingNotifier.dispose();
      shareLink.dispose();
      badge.dispose();
      verification.dispose();
      offConnection();
      media.dispose();
      mediaPath.dispose();
      document.removeEventListener('keydown', onKey);
      shortcuts.dispose();
      devices.dispose();
      hands.dispose();
      reactions.dispose();
      recording.dispose();
      speakerOutput.dispose();
      breakout?.dispose();
    },
  };
}
