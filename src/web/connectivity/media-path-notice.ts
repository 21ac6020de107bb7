/**
 * In the meeting: when a peer connection does not come up (ICE still trying after STUCK_MS, or failed),
 * the person is told so in words, with what to ask their IT department for, instead of looking at black
 * tiles. It goes away once every connection is up.
 */
import type { Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { whatToAllow } from './advice.ts';

const STUCK_MS = 15_000;
const POLL_MS = 1000;

export function mediaPathNotice(room: Room): { element: HTMLElement; dispose(): void } {
  const element = h('div', { class: 'media-path-blocked', attrs: { role: 'alert', hidden: true, 'data-testid': 'media-path-blocked' } });
  const firstSeen = new WeakMap<RTCPeerConnection, number>();
  const timer = setInterval(() => {
    const now = Date.now();
    let blocked = false;
    for (const { pc } of room.peerConnections()) {
      if (!firstSeen.has(pc)) firstSeen.set(pc, now);
      const state = pc.connectionState;
      if (state === 'failed' || ((state === 'new' || state === 'connecting') && now - firstSeen.get(pc)! > STUCK_MS)) blocked = true;
    }
    if (blocked && element.hidden) element.textContent = blockedText(room.iceServers.current, location.hostname);
    element.hidden = !blocked;
  }, POLL_MS);
  return { element, dispose: () => clearInterval(timer) };
}

function blockedText(iceServers: RTCIceServer[], serverHost: string): string {
  const tcp = iceServers
    .flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]))
    .map((url) => /^turns?:(.+):(\d+)\?transport=tcp$/.exec(url))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}:${m[2]}`);
  return t('media-path.blocked', { what: whatToAllow(tcp, serverHost) });
}
