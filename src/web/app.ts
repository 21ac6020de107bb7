/**
 * Entry point of the web app: `/` is the landing page, `/m/<id>` the meeting flow
 * (pre-join → waiting → meeting → ended), `/signin`, `/enrol`, `/account` and `/admin` the account pages
 * (src/web/accounts/routes.ts), `/schedule` and `/i/<token>` scheduled meetings and personal invitations
 * (src/web/schedule/routes.ts). State lives in `main`'s closure, not in
 * module globals.
 *
 * Secrets: the passcode and host secret come from the URL fragment, stay in memory,
 * and go to the server only inside the `join` message. The fragment is removed from
 * the address bar at once, for hosts too (a shared screen shows the address bar).
 * The host secret alone is kept in this tab's sessionStorage, so that a reload is
 * the host again: the server gives the host's place back to the same device with
 * the host secret. It is forgotten when the meeting is over.
 *
 * Any other address shows a page that says so, with a way home.
 */
import { defaultSignallingUrl, loadDeviceId, LocalMedia, Room, type ConnectionState, type EndReason, type RoomNotice } from '../client/index.ts';
import { loadDeviceIdentity } from '../e2ee/identity/identity-store.ts';
import { accountPageOf, openAccountPage } from './accounts/routes.ts';
import { loadSession } from './accounts/session.ts';
import { openSchedulePage, schedulePageOf } from './schedule/routes.ts';
import { installDebugHook } from './debug-hook.ts';
import { onLanguageChange, startLanguage, t } from './i18n/index.ts';
import { keepHostSecret, keptHostSecret, meetingIdFromPath, readFragment } from './links.ts';
import { meetingView } from './meeting/meeting-view.ts';
import { askWhileWaiting } from './meeting/recording/waiting-consent.ts';
import { Toaster } from './toast.ts';
import { endedView } from './views/ended.ts';
import { landingView } from './views/landing.ts';
import { prejoinView } from './views/prejoin.ts';
import { unavailableView } from './views/unavailable.ts';
import { waitingView } from './views/waiting.ts';

function main(): void {
  startLanguage();
  const root = document.getElementById('app');
  if (!root) return;
  const toaster = new Toaster();
  let room: Room | null = null;
  installDebugHook(() => room);

  /** The document's title: the page's heading (or a fixed one), then the product's name. */
  let pageTitle: () => string = () => t('app.name');
  const writeTitle = () => {
    const title = pageTitle();
    document.title = title === t('app.name') ? title : t('document.title', { page: title });
  };
  /**
   * Draws the current page again after a change of language. Pages that keep what was typed (landing,
   * pre-join) follow the language themselves; the others are built again, the meeting too (its state
   * lives in the Room, not in the view).
   */
  let redraw: (() => void) | null = null;
  onLanguageChange(() => {
    redraw?.();
    // After the pages that follow the language themselves have written their headings.
    queueMicrotask(() => {
      writeTitle();
      // The person was in the menu: they stay there in the page drawn anew.
      root.querySelector<HTMLElement>('[data-testid="language-select"]')?.focus();
    });
  });

  const show = (view: HTMLElement, again: (() => HTMLElement) | null = null, title?: () => string) => {
    root.replaceChildren(view, toaster.element);
    pageTitle = title ?? (() => root.querySelector('h1')?.textContent ?? t('app.name'));
    writeTitle();
    redraw = again && (() => show(again(), again, title));
  };

  const navigate = (url: string) => location.assign(url);
  if (location.pathname === '/') {
    // Who is signed in decides what the landing page offers (accounts mode: sign in to start a meeting).
    void loadSession().then((session) => show(landingView(navigate, session), null, () => t('app.name')));
    return;
  }
  const accountPage = accountPageOf(location.pathname);
  if (accountPage) {
    void openAccountPage(accountPage, { show: (view) => show(view), navigate });
    return;
  }
  const schedulePage = schedulePageOf(location.pathname);
  if (schedulePage) {
    void openSchedulePage(schedulePage, { show: (view) => show(view), navigate });
    return;
  }
  const meetingId = meetingIdFromPath(location.pathname);
  if (!meetingId) {
    // A mangled meeting link, or no page of ours: said without asking the server anything.
    const kind = location.pathname.startsWith('/m/') ? 'meeting' : 'page';
    show(unavailableView(kind), () => unavailableView(kind));
    return;
  }

  const fragment = readFragment(location.hash);
  const linkOpened = location.hash !== '';
  if (linkOpened) history.replaceState(null, '', location.pathname + location.search);
  // A link opened now decides (a participant link forgets a host secret kept earlier); a reload has no fragment.
  if (linkOpened) keepHostSecret(meetingId, fragment.hostSecret);
  const secrets = { passcode: fragment.passcode, hostSecret: fragment.hostSecret ?? keptHostSecret(meetingId), invitation: fragment.invitation };
  const isHost = secrets.hostSecret !== null;

  const media = new LocalMedia();
  const mediaStarted = media.start({ audio: true, video: true });
  const prejoin = prejoinView(media, { needPasscode: !secrets.passcode && !isHost && !secrets.invitation, isHost }, ({ name, passcode }) => {
    prejoin.setBusy(true);
    const current = new Room({ signallingUrl: defaultSignallingUrl(location), localMedia: media, deviceIdentity: loadDeviceIdentity });
    room = current;
    // A meeting that records asks in the waiting room before admission (meeting/recording/waiting-consent.ts).
    askWhileWaiting(current, toaster);
    let disposeMeeting: (() => void) | null = null;
    current.on('connection', (state: ConnectionState) => {
      if (state.name === 'waiting') {
        prejoin.dispose();
        const build = () => {
          waiting = waitingView(current.state.title || waitingTitle, state.reason, () => void current.leave());
          return waiting.element;
        };
        show(build(), build);
      } else if (state.name === 'joined' && !disposeMeeting) {
        prejoin.dispose();
        waiting = null;
        const build = () => {
          disposeMeeting?.();
          const view = meetingView(current, meetingId, toaster);
          disposeMeeting = view.dispose;
          return view.element;
        };
        show(build(), build);
      } else if (state.name === 'left') {
        prejoin.dispose();
        disposeMeeting?.();
        // The camera and microphone are released however it ended, also if they were still opening.
        void mediaStarted.then(() => media.stop());
        if (MEETING_OVER.has(state.reason)) keepHostSecret(meetingId, null);
        disposeMeeting = () => undefined;
        if (state.reason === 'join-refused') {
          show(unavailableView('meeting'), () => unavailableView('meeting'));
        } else {
          const reason = state.reason;
          show(endedView(reason), () => endedView(reason), () => t('document.ended'));
        }
      }
    });
    // The title comes in the server's `waiting` message, which the room handles first (it registered
    // before us): the waiting screen is already shown when we read it here, so it is given the title now.
    let waitingTitle = '';
    let waiting: ReturnType<typeof waitingView> | null = null;
    current.signalling.on('message', (m) => {
      if (m.type !== 'waiting') return;
      waitingTitle = m.title;
      waiting?.setTitle(m.title);
    });
    current.on('notice', (notice) => {
      const text = noticeText(notice);
      if (text) toaster.show(text);
    });
    void current.join({
      meetingId,
      // A host's reload has no passcode: with the host secret the server does not check it. A personal
      // invitation (src/web/schedule/) stands in for the passcode.
      ...(secrets.invitation ? { invitation: secrets.invitation } : { passcode: secrets.passcode ?? passcode }),
      name,
      deviceId: loadDeviceId(),
      ...(secrets.hostSecret ? { hostSecret: secrets.hostSecret } : {}),
    });
  });
  show(prejoin.element);
}

/** Reasons after which the meeting is gone for good (or never was): a kept host secret is of no more use. */
const MEETING_OVER: ReadonlySet<EndReason> = new Set<EndReason>(['ended', 'idle', 'max-duration', 'media-failure', 'server-shutdown', 'join-refused']);

main();

/** What a person is told when the room reports something about them; null: nothing to show. */
function noticeText(notice: RoomNotice): string | null {
  switch (notice.kind) {
    case 'muted-by-host':
      return t('notice.muted-by-host');
    case 'muted-on-entry':
      return t('notice.muted-on-entry');
    case 'unmute-not-allowed':
      return t('notice.unmute-not-allowed');
    case 'screen-share-refused':
      return t(notice.reason === 'forbidden' ? 'notice.screen-share-forbidden' : 'notice.screen-share-failed');
    case 'chat-refused':
      return t('notice.chat-refused');
    case 'media-failed':
      return t('notice.media-failed');
    case 'admit-failed':
      return t(notice.reason === 'no-key-package' ? 'notice.admit-no-key' : 'notice.admit-failed');
    case 'invalid-message':
      return null;
  }
}
