/**
 * In the waiting room of a meeting that records (or is asking to): the person is asked before being admitted,
 * and the host sees the answer. The answer goes to the server in clear (the person is not in the MLS group
 * yet). A no keeps them waiting: they may be admitted once the recording is over, or leave.
 */
import type { Room } from '../../../client/index.ts';
import { t } from '../../i18n/index.ts';
import type { Toaster } from '../../toast.ts';
import { showConsentDialog } from './consent-dialog.ts';

/** Asks while `room` waits; returns the function that stops. */
export function askWhileWaiting(room: Room, toaster: Toaster): () => void {
  let dialog: { close(): void } | null = null;
  const close = () => {
    dialog?.close();
    dialog = null;
  };
  const offs = [
    room.recording.on('asked', (prompt) => {
      if (!prompt.waiting) return;
      close();
      dialog = showConsentDialog(prompt, (consent) => {
        dialog = null;
        room.recording.answer(consent).then(
          () => {
            if (!consent) toaster.show(t('recording.declined-waiting'), 10_000);
          },
          () => toaster.show(t('recording.failed')),
        );
      });
    }),
    room.recording.on('prompt-closed', close),
    room.on('connection', (state) => {
      if (state.name !== 'waiting') close();
    }),
  ];
  return () => {
    close();
    for (const off of offs) off();
  };
}
