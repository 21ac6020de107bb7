/**
 * Entry point of the web app: `/` is the landing page, `/m/<id>` the meeting flow
 * (pre-join → waiting → meeting → ended). State lives in `main`'s closure, not in
 * module globals.
 *
 * Secrets: the passcode and host secret come from the URL fragment, stay in memory,
 * and go to the server only inside the `join` message. A participant link's
 * fragment is removed from the address bar at once; a host link's is kept so that
 * a reload still works (the fragment is never sent in HTTP requests).
 */
import { defaultSignallingUrl, loadDeviceId, LocalMedia, Room, type ConnectionState, type RoomNotice } from '../client/index.ts';
import { installDebugHook } from './debug-hook.ts';
import { meetingIdFromPath, readFragment } from './links.ts';
import { meetingView } from './meeting/meeting-view.ts';
import { Toaster } from './toast.ts';
import { endedView } from './views/ended.ts';
import { landingView } from './views/landing.ts';
import { prejoinView } from './views/prejoin.ts';
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

  const meetingId = meetingIdFromPath(location.pathname);
  if (!meetingId) {
    document.title = 'Sabha';
    show(landingView((url) => location.assign(url)));
    return;
  }

  const secrets = readFragment(location.hash);
  if (!secrets.hostSecret && location.hash) history.replaceState(null, '', location.pathname);
  const isHost = secrets.hostSecret !== null;

  const media = new LocalMedia();
  const prejoin = prejoinView(media, { needPasscode: !secrets.passcode, isHost }, ({ name, passcode }) => {
    prejoin.setBusy(true);
    const current = new Room({ signallingUrl: defaultSignallingUrl(location), localMedia: media });
    room = current;
    let disposeMeeting: (() => void) | null = null;
    current.on('connection', (state: ConnectionState) => {
      if (state.name === 'waiting') {
        prejoin.dispose();
        show(waitingView(current.state.title || waitingTitle, state.reason, () => void current.leave()));
      } else if (state.name === 'joined' && !disposeMeeting) {
        prejoin.dispose();
        const view = meetingView(current, meetingId, toaster);
        disposeMeeting = view.dispose;
        show(view.element);
      } else if (state.name === 'left') {
        prejoin.dispose();
        disposeMeeting?.();
        show(endedView(state.reason));
        document.title = 'Meeting ended · Sabha';
      }
    });
    let waitingTitle = '';
    current.signalling.on('message', (m) => {
      if (m.type === 'waiting') waitingTitle = m.title;
    });
    current.on('notice', (notice) => {
      const text = noticeText(notice);
      if (text) toaster.show(text);
    });
    void current.join({
      meetingId,
      passcode: secrets.passcode ?? passcode,
      name,
      deviceId: loadDeviceId(),
      ...(secrets.hostSecret ? { hostSecret: secrets.hostSecret } : {}),
    });
  });
  show(prejoin.element);
  void media.start({ audio: true, video: true });
}

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
