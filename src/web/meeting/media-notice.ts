/**
 * "Reconnecting media…": shown in the meeting's top bar while the media server restarts under the meeting
 * and until media flows again (the Room's `media-recovery` state). The meeting, its chat and its security
 * code are not affected, so this is a quiet status, not a dialog.
 */
import type { Room } from '../../client/index.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function mediaNotice(room: Room): { element: HTMLElement; dispose(): void } {
  const element = h('span', {
    class: 'pill warn',
    text: t('media.reconnecting'),
    attrs: { hidden: true, role: 'status', 'data-testid': 'media-reconnecting' },
  });
  const off = room.on('media-recovery', (state) => (element.hidden = state === 'flowing'));
  return { element, dispose: off };
}
