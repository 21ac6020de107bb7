/**
 * `/schedule`: a signed-in host's scheduled meetings. A form makes a new one (title, date and time in the
 * browser's time zone, duration, invitees, weekly, invited people only); the list shows each with its next
 * occurrence, its invitations (each revocable), a Start button that opens the meeting as its host (a fresh
 * meeting id and passcode every time), and Cancel.
 *
 * Without a mail server the server returns each invitee's link once, right after the schedule is made: the page
 * shows them then, to be sent by hand (the server keeps only hashes of them).
 */
import { createMeeting, defaultSignallingUrl } from '../../client/index.ts';
import { isEmailAddress, isTypedTextAllowed, MAX_INVITEES } from '../../protocol/index.ts';
import { typedTextAttrs } from '../bidi.ts';
import { h } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { meetingLink } from '../links.ts';
import type { PageHost } from '../accounts/routes.ts';
import { loadSession } from '../accounts/session.ts';
import { AccountPage, copyField, failureText } from '../accounts/ui.ts';
import { userMenu } from '../accounts/user-menu.ts';
import { cancelSchedule, createSchedule, listSchedules, revokeInvitation, type InvitationLink, type ScheduleView } from './api.ts';

const STATE_TEXT = {
  live: 'schedule.state.live',
  'not-started': 'schedule.state.not-started',
  ended: 'schedule.state.ended',
  cancelled: 'schedule.state.cancelled',
} as const satisfies Record<ScheduleView['state'], PlainKey>;

export async function schedulePage(host: PageHost): Promise<void> {
  const session = await loadSession();
  if (session?.signedIn !== true) return host.navigate('/signin?next=/schedule');
  const page = new AccountPage();

  const title = page.input('schedule-title', 'schedule.field.title', { type: 'text', maxlength: 120, required: true, dir: 'auto', 'data-testid': 'schedule-title' });
  const when = page.input('schedule-when', 'schedule.field.when', { type: 'datetime-local', required: true, 'data-testid': 'schedule-when' });
  const duration = page.input('schedule-duration', 'schedule.field.duration', { type: 'number', min: 5, max: 1440, step: 5, value: 60, required: true, 'data-testid': 'schedule-duration' });
  const inviteesLabel = page.text(h('label', { class: 'label', attrs: { for: 'schedule-invitees' } }), 'schedule.field.invitees');
  const invitees = h('textarea', { class: 'input', attrs: { id: 'schedule-invitees', rows: 4, dir: 'ltr', 'data-testid': 'schedule-invitees' } });
  const weekly = h('input', { attrs: { id: 'schedule-weekly', type: 'checkbox', 'data-testid': 'schedule-weekly' } });
  const invitedOnly = h('input', { attrs: { id: 'schedule-invited-only', type: 'checkbox', 'data-testid': 'schedule-invited-only' } });
  const formError = page.message('alert', 'schedule-error');
  const formStatus = page.message('status', 'schedule-status');
  const linksBox = h('div', { class: 'schedule-links', attrs: { 'data-testid': 'schedule-links' } });
  const submit = page.text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'schedule-create' } }), 'schedule.create');

  const listBox = h('div', { class: 'schedule-list', attrs: { 'data-testid': 'schedule-list' } });
  const listError = page.message('alert', 'schedule-list-error');
  let schedules: ScheduleView[] = [];

  const renderList = () => {
    listBox.replaceChildren(
      ...(schedules.length === 0 ? [h('p', { class: 'muted', text: t('schedule.list.empty') })] : schedules.map((s) => scheduleCard(s))),
    );
  };
  page.live.add(renderList);

  const refresh = async () => {
    try {
      schedules = (await listSchedules()).schedules;
      listError.set(null);
      renderList();
    } catch (error) {
      listError.set(failureText(error));
    }
  };

  const act = (button: HTMLButtonElement, work: () => Promise<unknown>) => {
    button.disabled = true;
    work()
      .then(() => refresh())
      .catch((error: unknown) => listError.set(failureText(error)))
      .finally(() => (button.disabled = false));
  };

  const start = async (s: ScheduleView) => {
    try {
      const created = await createMeeting(defaultSignallingUrl(location), s.title, s.id);
      host.navigate(meetingLink(location.origin, created.meetingId, created.passcode, created.hostSecret));
    } catch {
      listError.set(() => t('schedule.start.failed'));
      await refresh();
    }
  };

  const scheduleCard = (s: ScheduleView): HTMLElement => {
    const next = s.occurrenceStartsAt ?? s.startsAt;
    const startButton = h('button', { class: 'button primary small', text: t('schedule.start'), attrs: { type: 'button', 'data-testid': `schedule-start-${s.id}` } });
    startButton.addEventListener('click', () => act(startButton, () => start(s)));
    const cancelButton = h('button', { class: 'button secondary small', text: t('schedule.cancel'), attrs: { type: 'button', 'data-testid': `schedule-cancel-${s.id}` } });
    cancelButton.addEventListener('click', () => {
      if (confirm(t('schedule.cancel.confirm'))) act(cancelButton, () => cancelSchedule(s.id));
    });
    const open = s.state === 'not-started' || s.state === 'live';
    return h(
      'section',
      { class: 'card schedule-card', attrs: { 'data-testid': 'schedule-card', 'data-schedule-id': s.id } },
      h('h3', { text: s.title, attrs: typedTextAttrs }),
      h('p', { class: 'muted', text: [t('schedule.when', { when: formatTime(next), minutes: s.durationMinutes }), s.weekly ? t('schedule.weekly') : '', s.invitedOnly ? t('schedule.invited-only') : ''].filter(Boolean).join(' · ') }),
      h('p', { class: `pill${s.state === 'live' ? ' ok' : ''}`, text: t(STATE_TEXT[s.state]), attrs: { 'data-testid': `schedule-state-${s.id}` } }),
      h(
        'ul',
        { class: 'people-list' },
        ...s.invitations.map((inv) => {
          const revoke = h('button', { class: 'button tiny ghost', text: t('schedule.revoke'), attrs: { type: 'button', 'aria-label': t('schedule.revoke.label', { email: inv.email }), 'data-testid': `revoke-${inv.id}` } });
          revoke.addEventListener('click', () => act(revoke, () => revokeInvitation(s.id, inv.id)));
          return h(
            'li',
            { class: 'person', attrs: { 'data-testid': 'schedule-invitation' } },
            h('span', { class: 'person-name', text: inv.email, attrs: { dir: 'ltr' } }),
            inv.revoked ? h('span', { class: 'person-role', text: t('schedule.revoked') }) : open ? revoke : null,
          );
        }),
      ),
      open ? h('div', { class: 'actions' }, s.state === 'not-started' ? startButton : null, cancelButton) : null,
    );
  };

  const showLinks = (links: readonly InvitationLink[]) => {
    linksBox.replaceChildren(...links.map((l) => copyField(page, 'schedule.link', l.link, `invitation-link-${l.invitationId}`)).map((row, i) => h('div', {}, h('p', { class: 'small', text: links[i]!.email, attrs: { dir: 'ltr' } }), row)));
  };

  const form = h(
    'form',
    { class: 'card form-card', attrs: { novalidate: true, 'data-testid': 'schedule-form' } },
    page.text(h('h2', {}), 'schedule.new.heading'),
    title.label, title.input,
    when.label, when.input,
    duration.label, duration.input,
    inviteesLabel, invitees,
    h('label', { class: 'check' }, weekly, page.text(h('span', {}), 'schedule.field.weekly')),
    h('label', { class: 'check' }, invitedOnly, page.text(h('span', {}), 'schedule.field.invited-only')),
    formError.element,
    h('div', { class: 'actions' }, submit),
    formStatus.element,
    linksBox,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    formError.set(null);
    formStatus.set(null);
    const titleText = title.input.value.trim();
    if (!titleText || !isTypedTextAllowed(titleText)) return formError.set(() => t('schedule.error.title'));
    // `datetime-local` is the browser's own time zone; Date turns it into an instant.
    const startsAt = when.input.value ? new Date(when.input.value).getTime() : NaN;
    if (!Number.isFinite(startsAt)) return formError.set(() => t('schedule.error.when'));
    const addresses = [...new Set(invitees.value.split(/[\s,;]+/).map((a) => a.trim().toLowerCase()).filter(Boolean))];
    const bad = addresses.find((a) => !isEmailAddress(a));
    if (bad !== undefined) return formError.set(() => t('schedule.error.invitee', { address: bad }));
    if (addresses.length > MAX_INVITEES) return formError.set(() => t('schedule.error.too-many', { count: MAX_INVITEES }));
    submit.disabled = true;
    createSchedule({ title: titleText, startsAt, durationMinutes: Number(duration.input.value) || 60, invitees: addresses, weekly: weekly.checked, invitedOnly: invitedOnly.checked })
      .then(async (result) => {
        form.reset();
        if (result.links) {
          formStatus.set(() => t('schedule.created.links'));
          showLinks(result.links);
        } else {
          formStatus.set(() => t('schedule.created.mailed'));
          linksBox.replaceChildren();
        }
        await refresh();
      })
      .catch((error: unknown) => formError.set(failureText(error)))
      .finally(() => (submit.disabled = false));
  });

  const heading = page.text(h('h1', {}), 'schedule.title');
  host.show(page.frame('schedule-page', userMenu(page.live, session, host.navigate), heading, form, page.text(h('h2', {}), 'schedule.list.heading'), listError.element, listBox));
  await refresh();
}

/** An instant in the browser's language and time zone. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}
