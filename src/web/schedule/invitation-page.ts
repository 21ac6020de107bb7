/**
 * `/i/<token>`: an invitee's personal link. It asks the server what the link leads to and says so:
 *
 *   checking → not-started  "The host has not started this meeting yet", asks again every 10 s
 *            → live         the title and time, a name field and Join: on to the meeting's pre-join page, with the
 *                           invitation (in the fragment, which never reaches the server) standing in for a passcode
 *            → ended        the meeting is over (a one-off for good; a weekly one until its next occurrence starts)
 *            → invalid      unknown, mistyped or revoked: one answer for all
 *
 * No account is needed. The token stays in this page's memory only.
 */
import { isTypedTextAllowed } from '../../protocol/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { invitationMeetingLink } from '../links.ts';
import { ApiFailure } from '../accounts/api-client.ts';
import { AccountPage } from '../accounts/ui.ts';
import { NAME_KEY } from '../views/prejoin.ts';
import { resolveInvitation, type Resolution } from './api.ts';
import { formatTime } from './schedule-page.ts';

/** How often a page waiting for the host asks again. */
export const RECHECK_MS = 10_000;

type PageState = { kind: 'checking' } | { kind: 'invalid' } | { kind: 'error' } | Resolution;

export function invitationPage(token: string | null, navigate: (url: string) => void): HTMLElement {
  const page = new AccountPage();
  const body = h('div', { class: 'card message-card', attrs: { 'data-testid': 'invitation-card' } });
  let state: PageState = token === null ? { kind: 'invalid' } : { kind: 'checking' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let storedName = '';
  try {
    storedName = localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    // No storage: the name field starts empty.
  }
  const nameInput = h('input', { class: 'input', attrs: { id: 'invitation-name', type: 'text', maxlength: 64, required: true, autocomplete: 'name', dir: 'auto', value: storedName, 'data-testid': 'invitation-name' } });
  const nameError = page.message('alert', 'invitation-error');

  const join = (meetingId: string) => {
    const name = nameInput.value.trim();
    if (!name || !isTypedTextAllowed(name)) {
      nameError.set(() => t('prejoin.name.not-allowed'));
      nameInput.focus();
      return;
    }
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      // The pre-join page asks for the name again.
    }
    navigate(invitationMeetingLink(meetingId, token!));
  };

  const render = () => {
    const parts: (HTMLElement | null)[] = [];
    const heading = (text: string, testId: string) => h('h1', { text, attrs: { 'data-testid': testId } });
    const titleLine = (title: string) => (title ? h('p', { class: 'eyebrow', text: title, attrs: { ...typedTextAttrs, 'data-testid': 'invitation-title' } }) : null);
    if ('kind' in state) {
      if (state.kind === 'checking') parts.push(h('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), heading(t('invitation.checking'), 'invitation-checking'));
      else if (state.kind === 'invalid') parts.push(heading(t('invitation.invalid'), 'invitation-invalid'), h('p', { class: 'muted', text: t('invitation.invalid.detail') }));
      else parts.push(heading(t('invitation.error'), 'invitation-failed'));
    } else if (state.state === 'not-started') {
      parts.push(
        titleLine(state.title),
        h('p', { class: 'muted', text: [t('schedule.when', { when: formatTime(state.startsAt), minutes: state.durationMinutes }), state.weekly ? t('schedule.weekly') : ''].filter(Boolean).join(' · ') }),
        h('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        heading(t('invitation.not-started'), 'invitation-not-started'),
        h('p', { class: 'muted', text: t('invitation.not-started.detail') }),
      );
    } else if (state.state === 'live') {
      const meetingId = state.meetingId;
      const joinButton = h('button', { class: 'button primary', text: t('invitation.join'), attrs: { type: 'submit', 'data-testid': 'invitation-join' } });
      const form = h(
        'form',
        { class: 'form-card', attrs: { novalidate: true } },
        h('label', { class: 'label', text: t('prejoin.name'), attrs: { for: 'invitation-name' } }),
        nameInput,
        nameError.element,
        h('div', { class: 'actions center' }, joinButton),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        join(meetingId);
      });
      parts.push(titleLine(state.title), h('p', { class: 'muted', text: t('schedule.when', { when: formatTime(state.startsAt), minutes: state.durationMinutes }) }), heading(t('invitation.live'), 'invitation-live'), form);
    } else {
      parts.push(titleLine(state.title), heading(t('invitation.ended'), 'invitation-ended'));
    }
    body.replaceChildren(...parts.filter((p) => p !== null));
  };
  page.live.add(render);

  const check = async () => {
    clearTimeout(timer);
    if (token === null) return;
    try {
      state = await resolveInvitation(token);
    } catch (error) {
      state = error instanceof ApiFailure && (error.status === 404 || error.status === 400) ? { kind: 'invalid' } : { kind: 'error' };
    }
    render();
    // Waiting for the host, or a passing failure: ask again in a while. Live, over or invalid: nothing to wait for.
    if (('state' in state && state.state === 'not-started') || ('kind' in state && state.kind === 'error')) timer = setTimeout(() => void check(), RECHECK_MS);
  };
  void check();

  return page.frame('invitation-page', null, body);
}
