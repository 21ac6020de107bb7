/** `/`: start a new meeting, or join one from a link or id. */
import { createMeeting, defaultSignallingUrl } from '../../client/index.ts';
import { isTypedTextAllowed } from '../../protocol/text.ts';
import { copyText, h } from '../dom.ts';
import { icon } from '../icons.ts';
import { meetingLink, parseMeetingInput } from '../links.ts';
import { brandHeader } from './brand.ts';

export function landingView(navigate: (url: string) => void): HTMLElement {
  const status = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const titleInput = h('input', {
    class: 'input',
    attrs: { id: 'meeting-title', type: 'text', maxlength: 120, dir: 'auto', placeholder: 'Weekly review', autocomplete: 'off', 'data-testid': 'title-input' },
  });
  const createButton = h('button', { class: 'button primary', text: 'New meeting', attrs: { type: 'submit', 'data-testid': 'create-meeting' } });
  const result = h('div', { class: 'created', attrs: { hidden: true, 'data-testid': 'created' } });

  const createForm = h(
    'form',
    {
      class: 'card',
      attrs: { 'aria-labelledby': 'new-heading' },
      on: {
        submit: (event) => {
          event.preventDefault();
          void create();
        },
      },
    },
    h('h2', { text: 'Start a meeting', attrs: { id: 'new-heading' } }),
    h('p', { class: 'muted', text: 'Every meeting gets its own id and passcode, and a waiting room.' }),
    h('label', { class: 'label', text: 'Title (optional)', attrs: { for: 'meeting-title' } }),
    titleInput,
    h('div', { class: 'actions' }, createButton),
    status,
    result,
  );

  async function create(): Promise<void> {
    const title = titleInput.value.trim();
    if (!isTypedTextAllowed(title)) {
      status.textContent = 'The title contains characters that are not allowed.';
      return;
    }
    createButton.disabled = true;
    status.textContent = '';
    try {
      const created = await createMeeting(defaultSignallingUrl(location), title);
      const participantLink = meetingLink(location.origin, created.meetingId, created.passcode);
      const hostLink = meetingLink(location.origin, created.meetingId, created.passcode, created.hostSecret);
      result.replaceChildren(
        linkRow('Link for participants', participantLink, 'participant-link'),
        linkRow('Your host link (keep it to yourself)', hostLink, 'host-link'),
        h('div', { class: 'actions' }, h('button', {
          class: 'button primary',
          text: 'Start as host',
          attrs: { type: 'button', 'data-testid': 'start-as-host' },
          on: { click: () => navigate(hostLink) },
        })),
      );
      result.hidden = false;
    } catch {
      status.textContent = 'The meeting could not be created. Try again in a moment.';
    } finally {
      createButton.disabled = false;
    }
  }

  const joinInput = h('input', {
    class: 'input',
    attrs: { id: 'join-link', type: 'text', placeholder: 'Meeting link or id', autocomplete: 'off', 'data-testid': 'join-link-input' },
  });
  const passInput = h('input', {
    class: 'input',
    attrs: { id: 'join-passcode', type: 'password', placeholder: 'Passcode', autocomplete: 'off', 'data-testid': 'join-passcode-input' },
  });
  const joinError = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const joinForm = h(
    'form',
    {
      class: 'card',
      attrs: { 'aria-labelledby': 'join-heading' },
      on: {
        submit: (event) => {
          event.preventDefault();
          const parsed = parseMeetingInput(joinInput.value);
          const passcode = passInput.value.trim() || parsed?.passcode;
          if (!parsed) {
            joinError.textContent = 'That is not a meeting link or id.';
            return;
          }
          if (!passcode) {
            joinError.textContent = 'Enter the passcode.';
            return;
          }
          navigate(meetingLink(location.origin, parsed.meetingId, passcode));
        },
      },
    },
    h('h2', { text: 'Join a meeting', attrs: { id: 'join-heading' } }),
    h('label', { class: 'label', text: 'Meeting link or id', attrs: { for: 'join-link' } }),
    joinInput,
    h('label', { class: 'label', text: 'Passcode (if not in the link)', attrs: { for: 'join-passcode' } }),
    passInput,
    h('div', { class: 'actions' }, h('button', { class: 'button secondary', text: 'Join', attrs: { type: 'submit', 'data-testid': 'landing-join' } })),
    joinError,
  );

  return h(
    'div',
    { class: 'page landing' },
    brandHeader(),
    h(
      'main',
      { class: 'landing-main' },
      h(
        'section',
        { class: 'hero' },
        h('h1', { text: 'Video meetings that stay yours' }),
        h('p', {
          class: 'lede',
          text: 'Sabha runs on your organisation’s own server. Passcodes, a waiting room and host controls are always on; nothing is sent to anyone else.',
        }),
      ),
      h('div', { class: 'landing-cards' }, createForm, joinForm),
    ),
  );
}

function linkRow(label: string, link: string, testId: string): HTMLElement {
  const field = h('input', { class: 'input mono', attrs: { type: 'text', readonly: true, value: link, 'aria-label': label, 'data-testid': testId } });
  const copied = h('span', { class: 'copied', attrs: { 'aria-live': 'polite' } });
  return h(
    'div',
    { class: 'link-row' },
    h('span', { class: 'label', text: label }),
    h(
      'div',
      { class: 'link-field' },
      field,
      h(
        'button',
        {
          class: 'icon-button',
          attrs: { type: 'button', 'aria-label': `Copy: ${label}`, title: 'Copy', 'data-testid': `copy-${testId}` },
          on: {
            click: async () => {
              const ok = await copyText(link);
              if (!ok) field.select();
              copied.textContent = ok ? 'Copied' : 'Press Ctrl+C to copy';
              setTimeout(() => (copied.textContent = ''), 2000);
            },
          },
        },
        icon('copy'),
      ),
    ),
    copied,
  );
}
