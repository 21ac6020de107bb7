/**
 * `/`: start a new meeting, or join one from a link or id. With accounts (`whoMayHost: 'accounts'`), someone
 * not signed in is asked to sign in to start a meeting; joining by link never needs an account. Someone signed
 * in has their menu in the header (src/web/accounts/user-menu.ts).
 */
import { createMeeting, defaultSignallingUrl, SignallingError } from '../../client/index.ts';
import type { SessionInfo } from '../accounts/schemas.ts';
import { userMenu } from '../accounts/user-menu.ts';
import { isTypedTextAllowed } from '../../protocol/text.ts';
import { h, setAttrs } from '../dom.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import { LiveText } from '../i18n/live-text.ts';
import { meetingLink, parseMeetingInput } from '../links.ts';
import { brandHeader } from './brand.ts';
import { linkRow } from './link-row.ts';

/** The landing page stays on screen when the language changes: what was typed and a new meeting's links stay. */
/** `session`: who is signed in (null: the server did not say; the page is then as without accounts). */
export function landingView(navigate: (url: string) => void, session: SessionInfo | null = null): HTMLElement {
  const live = new LiveText();
  /** An element whose text is the message `key`; `error` keeps the key of the error shown, or null. */
  const text = <E extends HTMLElement>(el: E, key: PlainKey): E => {
    live.add(() => (el.textContent = t(key)));
    return el;
  };
  /** A message line (an error) whose key changes: empty for none. */
  const messageLine = (el: HTMLElement) => {
    let key: PlainKey | null = null;
    live.add(() => (el.textContent = key ? t(key) : ''));
    return (next: PlainKey | null) => {
      key = next;
      el.textContent = next ? t(next) : '';
    };
  };

  const status = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const setStatus = messageLine(status);
  const titleInput = h('input', {
    class: 'input',
    attrs: { id: 'meeting-title', type: 'text', maxlength: 120, dir: 'auto', autocomplete: 'off', 'data-testid': 'title-input' },
  });
  live.add(() => setAttrs(titleInput, { placeholder: t('landing.title.placeholder') }));
  const createButton = text(h('button', { class: 'button primary', attrs: { type: 'submit', 'data-testid': 'create-meeting' } }), 'landing.create');
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
    text(h('h2', { attrs: { id: 'new-heading' } }), 'landing.start.heading'),
    text(h('p', { class: 'muted' }), 'landing.start.intro'),
    text(h('label', { class: 'label', attrs: { for: 'meeting-title' } }), 'landing.title.label'),
    titleInput,
    h('div', { class: 'actions' }, createButton),
    status,
    result,
  );

  async function create(): Promise<void> {
    const title = titleInput.value.trim();
    if (!isTypedTextAllowed(title)) {
      setStatus('landing.title.not-allowed');
      return;
    }
    createButton.disabled = true;
    setStatus(null);
    try {
      const created = await createMeeting(defaultSignallingUrl(location), title);
      const participantLink = meetingLink(location.origin, created.meetingId, created.passcode);
      const hostLink = meetingLink(location.origin, created.meetingId, created.passcode, created.hostSecret);
      result.replaceChildren(
        linkRow(live, 'landing.link.participants', participantLink, 'participant-link'),
        linkRow(live, 'landing.link.host', hostLink, 'host-link'),
        h(
          'div',
          { class: 'actions' },
          text(h('button', { class: 'button primary', attrs: { type: 'button', 'data-testid': 'start-as-host' }, on: { click: () => navigate(hostLink) } }), 'landing.start-as-host'),
        ),
      );
      result.hidden = false;
    } catch (error) {
      // Accounts mode and the session ended meanwhile (signed out elsewhere, expired): say so, not "try again".
      setStatus(error instanceof SignallingError && error.code === 'sign-in-required' ? 'landing.create.sign-in' : 'landing.create.failed');
    } finally {
      createButton.disabled = false;
    }
  }

  const joinInput = h('input', { class: 'input', attrs: { id: 'join-link', type: 'text', autocomplete: 'off', 'data-testid': 'join-link-input' } });
  const passInput = h('input', { class: 'input', attrs: { id: 'join-passcode', type: 'password', autocomplete: 'off', 'data-testid': 'join-passcode-input' } });
  live.add(() => {
    setAttrs(joinInput, { placeholder: t('landing.join.link.placeholder') });
    setAttrs(passInput, { placeholder: t('landing.join.passcode.placeholder') });
  });
  const joinError = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  const setJoinError = messageLine(joinError);
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
            setJoinError('landing.join.not-a-link');
            return;
          }
          if (!passcode) {
            setJoinError('landing.join.passcode.missing');
            return;
          }
          navigate(meetingLink(location.origin, parsed.meetingId, passcode));
        },
      },
    },
    text(h('h2', { attrs: { id: 'join-heading' } }), 'landing.join.heading'),
    text(h('label', { class: 'label', attrs: { for: 'join-link' } }), 'landing.join.link.label'),
    joinInput,
    text(h('label', { class: 'label', attrs: { for: 'join-passcode' } }), 'landing.join.passcode.label'),
    passInput,
    h('div', { class: 'actions' }, text(h('button', { class: 'button secondary', attrs: { type: 'submit', 'data-testid': 'landing-join' } }), 'landing.join.button')),
    joinError,
  );

  // Accounts mode, signed out: the way to start a meeting is to sign in first.
  const mustSignIn = session !== null && !session.signedIn && session.whoMayHost === 'accounts';
  const signInCard = mustSignIn
    ? h(
        'section',
        { class: 'card', attrs: { 'aria-labelledby': 'new-heading', 'data-testid': 'signin-to-start-card' } },
        text(h('h2', { attrs: { id: 'new-heading' } }), 'landing.start.heading'),
        text(h('p', { class: 'muted' }), 'landing.signin.intro'),
        h('div', { class: 'actions' }, text(h('a', { class: 'button primary', attrs: { href: '/signin', 'data-testid': 'signin-to-start' } }), 'landing.signin')),
      )
    : null;
  const menu = session?.signedIn
    ? userMenu(live, session, navigate)
    : session
      ? text(h('a', { class: 'button secondary header-signin', attrs: { href: '/signin', 'data-testid': 'header-signin' } }), 'signin.title')
      : null;

  return h(
    'div',
    { class: 'page landing' },
    brandHeader(live, menu),
    h(
      'main',
      { class: 'landing-main' },
      h('section', { class: 'hero' }, text(h('h1'), 'landing.hero.title'), text(h('p', { class: 'lede' }), 'landing.hero.lede')),
      h('div', { class: 'landing-cards' }, signInCard ?? createForm, joinForm),
    ),
  );
}
