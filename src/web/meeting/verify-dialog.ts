/**
 * "Verify <name>": the three words this browser derives from its own device identity key and the key it
 * sees for that person. Both people open the dialog on each other and read the words aloud (in the room,
 * or on a call they trust); the words are the same on both screens exactly when each sees the other's real
 * key. The user then marks the person verified (remembered in this browser for that key, under a label
 * they confirm) or reports that the words differ.
 */
import { isolate, typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { t, tNodes } from '../i18n/index.ts';
import type { Toaster } from '../toast.ts';
import { STATUS_TEXT, type PeopleVerification } from './verification.ts';

export async function showVerifyDialog(verification: PeopleVerification, participantId: string, toaster: Toaster): Promise<void> {
  const person = verification.room.state.participants.get(participantId);
  const fingerprint = verification.fingerprintOf(participantId);
  const status = verification.statusOf(participantId);
  if (person === undefined || fingerprint === undefined || status === undefined) {
    toaster.show(t('verify.no-key-yet'));
    return;
  }
  const words = await verification.codeWith(participantId);
  if (words === undefined) {
    toaster.show(t('verify.no-key-yet'));
    return;
  }
  const label = h('input', {
    class: 'input',
    attrs: { id: 'verify-label', type: 'text', maxlength: 100, value: status.rememberedAs ?? person.name, 'data-testid': 'verify-label', ...typedTextAttrs },
  });
  const match = h('button', { class: 'button primary wide', text: t('verify.match'), attrs: { type: 'button', 'data-testid': 'verify-match' } });
  const mismatch = h('button', { class: 'button danger wide', text: t('verify.mismatch'), attrs: { type: 'button', 'data-testid': 'verify-mismatch' } });
  const forget = h('button', { class: 'button ghost wide', text: t('verify.forget'), attrs: { type: 'button', 'data-testid': 'verify-forget' } });
  const cancel = h('button', { class: 'button ghost wide', text: t('common.close'), attrs: { type: 'button', 'data-testid': 'verify-cancel' } });
  const notice =
    status.state === 'key-changed'
      ? h('p', {
          class: 'pill warn',
          attrs: { role: 'alert', 'data-testid': 'verify-key-changed' },
          text: t('verify.key-changed', { name: isolate(status.rememberedAs ?? '') }),
        })
      : status.state === 'mismatch'
        ? h('p', { class: 'pill warn', attrs: { role: 'alert' }, text: t('verify.reported-mismatch') })
        : null;
  const dialog = h(
    'dialog',
    { class: 'dialog verify-dialog', attrs: { 'aria-labelledby': 'verify-title', 'data-testid': 'verify-dialog', 'data-participant-id': participantId } },
    h('h2', { attrs: { id: 'verify-title' } }, ...tNodes('verify.title', { name: h('bdi', { text: person.name }) })),
    h('p', { class: 'verify-state', attrs: { 'data-testid': 'verify-state' }, text:
        status.state === 'verified' && status.rememberedAs
          ? t('verify.now-as', { state: t(STATUS_TEXT[status.state]), name: isolate(status.rememberedAs) })
          : t('verify.now', { state: t(STATUS_TEXT[status.state]) }),
    }),
    notice,
    h('p', { class: 'muted', text: t('verify.how') }),
    h('p', { class: 'person-code large mono', attrs: { 'data-testid': 'verify-code', 'aria-label': t('verify.words', { words: words.join(', ') }) }, text: words.join(' ') }),
    h('label', { class: 'setting-label', text: t('verify.remember-as'), attrs: { for: 'verify-label' } }),
    label,
    h('p', { class: 'setting-help', text: t('verify.remember-help') }),
    h('div', { class: 'dialog-stack' }, match, mismatch, status.state === 'verified' ? forget : null, cancel),
  );
  const close = () => {
    if (dialog.open) dialog.close();
    dialog.remove();
  };
  dialog.addEventListener('close', () => dialog.remove());
  cancel.addEventListener('click', close);
  match.addEventListener('click', () => {
    const name = label.value.trim() || person.name;
    // The key may have changed while the dialog was open (they left and came back): then nothing is marked.
    if (verification.markVerified(participantId, name, fingerprint)) toaster.show(t('verify.done', { name: isolate(name) }));
    else toaster.show(t('verify.key-changed-meanwhile'));
    close();
  });
  mismatch.addEventListener('click', () => {
    verification.reportMismatch(participantId, fingerprint);
    toaster.show(t('verify.marked-mismatch'));
    close();
  });
  forget.addEventListener('click', () => {
    verification.forget(participantId);
    close();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  cancel.focus();
}
