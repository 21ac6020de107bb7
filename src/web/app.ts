/**
 * Entry point of the web app: `/` is the landing page, `/m/<id>` the meeting flow
 * (pre-join → waiting → meeting → ended). State lives in `main`'s closure, not in
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
import { installDebugHook } from './debug-hook.ts';
import { keepHostSecret, keptHostSecret, meetingIdFromPath, readFragment } from './links.ts';
import { meetingView } from './meeting/meeting-view.ts';
import { Toaster } from './toast.ts';
import { endedView } from './views/ended.ts';
import { landingView } from './views/landing.ts';
import { prejoinView } from './views/prejoin.ts';
import { unavailableView } from './views/unavailable.ts';
import { waitingView } from './views/waiting.ts';

function main(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const toaster = new Toaster();
  let room: Room | null = null;
  installDebugHook(() => room);

  const show = (view: HTMLElement) => {
    root.replaceChildren(view, toaster.element);
    const heading = view.querySelector('h1');
    if (heading) document.title = `${heading.textContent} · Sabha`;
  };

  if (location.pathname === '/') {
    document.title = 'Sabha';
    show(landingView((url) => location.assign(url)));
    return;
  }
  const meetingId = meetingIdFromPath(location.pathname);
  if (!meetingId) {
    // A mangled meeting link, or no page of ours: said without asking the server anything.
    show(unavailableView(location.pathname.startsWith('/m/') ? 'meeting' : 'page'));
    return;
  }

  const fragment = readFragment(location.hash);
  const linkOpened = location.hash !== '';
  if (linkOpened) history.replaceState(null, '', location.pathname + location.search);
  // A link opened now decides (a participant link forgets a host secret kept earlier); a reload has no fragment.
  if (linkOpened) keepHostSecret(meetingId, fragment.hostSecret);
  const secrets = { passcode: fragment.passcode, hostSecret: fragment.hostSecret ?? keptHostSecret(meetingId) };
  const isHost = secrets.hostSecret !== null;

  const media = new LocalMedia();
  const mediaStarted = media.start({ audio: true, video: true });
  const prejoin = prejoinView(media, { needPasscode: !secrets.passcode && !isHost, isHost }, ({ name, passcode }) => {
    prejoin.setBusy(true);
    const current = new Room({ signallingUrl: defaultSignallingUrl(location), localMedia: media });
    room = current;
    let disposeMeeting: (() => void) | null = null;
    current.on('connection', (state: ConnectionState) => {
      if (state.name === 'waiting') {
        prejoin.dispose();
        waiting = waitingView(current.state.title || waitingTitle, state.reason, () => void current.leave());
        show(waiting.element);
      } else if (state.name === 'joined' && !disposeMeeting) {
        prejoin.dispose();
        const view = meetingView(current, meetingId, toaster);
        disposeMeeting = view.dispose;
        show(view.element);
      } else if (state.name === 'left') {
        prejoin.dispose();
        disposeMeeting?.();
        // The camera and microphone are released however it ended, also if they were still opening.
        void mediaStarted.then(() => media.stop());
        if (MEETING_OVER.has(state.reason)) keepHostSecret(meetingId, null);
        if (state.reason === 'join-refused') {
          show(unavailableView('meeting'));
        } else {
          show(endedView(state.reason));
          document.title = 'Meeting ended · Sabha';
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
      // A host's reload has no passcode: with the host secret the server does not check it.
      passcode: secrets.passcode ?? passcode,
      name,
      deviceId: loadDeviceId(),
      ...(secrets.hostSecret ? { hostSecret: secrets.hostSecret } : {}),
    });
  });
  show(prejoin.element);
}

/** Reasons after which the meeting is gone for good (or never was): a kept host secret is of no more use. */
const MEETING_OVER: ReadonlySet<EndReason> = new Set<EndReason>(['ended', 'idle', 'max-duration', 'media-failure', 'join-refused']);

main();

/** What a person is told when the room reports something about them; null: nothing to show. */
function noticeText(notice: RoomNotice): string | null {
  switch (notice.kind) {
    case 'muted-by-host':
      return 'The host muted you';
    case 'muted-on-entry':
      return 'You joined muted';
    case 'unmute-not-allowed':
      return 'The host does not allow participants to unmute';
    case 'screen-share-refused':
      return notice.reason === 'forbidden' ? 'You are not allowed to share your screen' : 'Screen sharing did not start';
    case 'chat-refused':
      return 'Your message was not sent';
    case 'media-failed':
      return 'Media connection problem; retrying';
    case 'admit-failed':
      return notice.reason === 'no-key-package' ? 'That person is still preparing encryption; try again in a moment' : 'Admission did not go through; try again';
    case 'invalid-message':
      return null;
  }
}
