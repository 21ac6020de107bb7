/**
 * Leaving as the host: end the meeting for everyone (what the advisories ask hosts
 * to do), or hand the host role to someone and leave, or stay.
 */
import type { Room } from '../../client/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function showHostLeaveDialog(room: Room, onError: (text: string) => void): void {
  const s = room.state;
  const others = [...s.participants.values()].filter((p) => p.id !== s.selfId);
  const pick = h(
    'select',
    { class: 'select', attrs: { 'aria-label': t('leave.new-host'), 'data-testid': 'new-host-select' } },
    ...others.map((p) => h('option', { text: p.name, attrs: { value: p.id, ...typedTextAttrs } })),
  );
  const endAll = h('button', { class: 'button danger wide', text: t('leave.end-for-all'), attrs: { type: 'button', 'data-testid': 'end-for-all' } });
  const transfer = h('button', { class: 'button secondary wide', text: t('leave.transfer'), attrs: { type: 'button', 'data-testid': 'transfer-and-leave', disabled: others.length === 0 } });
  const cancel = h('button', { class: 'button ghost wide', text: t('common.cancel'), attrs: { type: 'button', 'data-testid': 'leave-cancel' } });
  const dialog = h(
    'dialog',
    { class: 'dialog', attrs: { 'aria-labelledby': 'leave-title', 'data-testid': 'leave-dialog' } },
    h('h2', { text: t('leave.title'), attrs: { id: 'leave-title' } }),
    h('p', { class: 'muted', text: t('leave.text') }),
    h('div', { class: 'dialog-stack' }, endAll, others.length ? pick : null, transfer, cancel),
  );
  // However the meeting ends for us (our own end, a hand-over and leave, or the server), the dialog goes with it.
  const offConnection = room.on('connection', (state) => {
    if (state.name === 'left') close();
  });
  const close = () => {
    offConnection();
    if (dialog.open) dialog.close();
    dialog.remove();
  };
  dialog.addEventListener('close', close);
  cancel.addEventListener('click', close);
  endAll.addEventListener('click', () => {
    endAll.disabled = true;
    room.endForAll().then(close, () => {
      if (room.connection.name === 'left') return;
      endAll.disabled = false;
      onError(t('leave.end-failed'));
    });
  });
  transfer.addEventListener('click', () => {
    if (!pick.value) return;
    transfer.disabled = true;
    room.transferHostAndLeave(pick.value).then(close, () => {
      transfer.disabled = false;
      onError(t('leave.transfer-failed'));
    });
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  endAll.focus();
}
