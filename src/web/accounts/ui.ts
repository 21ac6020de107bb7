/**
 * What the account pages share: a page frame (the header with the language menu and the user's menu), text
 * that follows the language (the pages keep what was typed when the language changes, like the landing page),
 * labelled inputs, an announced message line, and a read-only field with a copy button.
 */
import { h, setAttrs } from '../dom.ts';
import { t, type MessageKey, type PlainKey } from '../i18n/index.ts';
import type { ParamsArg } from '../i18n/types.ts';
import { LiveText } from '../i18n/live-text.ts';
import { brandHeader } from '../views/brand.ts';
import { linkRow } from '../views/link-row.ts';
import { ApiFailure } from './api-client.ts';

/** One account page: its texts follow the language while it is on screen. */
export class AccountPage {
  readonly live = new LiveText();

  /** `el` shows the message `key` (now and after a change of language). */
  text<E extends HTMLElement, K extends MessageKey>(el: E, key: K, ...args: ParamsArg<K>): E {
    this.live.add(() => (el.textContent = t(key, ...args)));
    return el;
  }

  /** Sets attributes whose values are messages (aria-label, placeholder), now and after a change of language. */
  attrs(el: Element, write: () => Record<string, string>): void {
    this.live.add(() => setAttrs(el, write()));
  }

  /** A labelled input; the label's text follows the language. */
  input(id: string, label: PlainKey, attrs: Record<string, string | number | boolean>): { label: HTMLLabelElement; input: HTMLInputElement } {
    const input = h('input', { class: 'input', attrs: { id, ...attrs } });
    return { label: this.text(h('label', { class: 'label', attrs: { for: id } }), label), input };
  }

  /**
   * A line that says what went wrong (role=alert: a screen reader says it at once), or what went well
   * (role=status). `set(null)` empties it.
   */
  message(kind: 'alert' | 'status', testId: string): { element: HTMLElement; set: (write: (() => string) | null) => void } {
    const element = h('p', { class: kind === 'alert' ? 'form-error' : 'form-status', attrs: { role: kind, 'data-testid': testId } });
    let current: (() => string) | null = null;
    this.live.add(() => (element.textContent = current ? current() : ''));
    return {
      element,
      set: (write) => {
        current = write;
        element.textContent = write ? write() : '';
      },
    };
  }

  /** The page: the header (with `menu` when someone is signed in) and a main region holding `content`. */
  frame(testId: string, menu: HTMLElement | null, ...content: (HTMLElement | null)[]): HTMLElement {
    return h('div', { class: 'page account-page' }, brandHeader(this.live, menu), h('main', { class: 'account-main', attrs: { 'data-testid': testId } }, ...content));
  }

  dispose(): void {
    this.live.dispose();
  }
}

/** A read-only value (a link, a secret) with a button that copies it. */
export function copyField(page: AccountPage, label: PlainKey, value: string, testId: string): HTMLElement {
  return linkRow(page.live, label, value, testId);
}

/** What to tell a person about a failed request whose code no page handles itself. */
export function failureText(error: unknown): () => string {
  if (error instanceof ApiFailure) {
    if (error.code === 'slow-down') {
      const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1));
      return () => t('accounts.error.slow-down', { count: seconds });
    }
    if (error.code === 'network') return () => t('accounts.error.network');
    if (error.code === 'forbidden' || error.code === 'csrf' || error.code === 'cross-origin') return () => t('accounts.error.forbidden');
    if (error.code === 'sign-in-required' || error.code === 'signed-out') return () => t('accounts.error.signed-out');
  }
  return () => t('accounts.error.unexpected');
}

/** A path of ours to return to after signing in (`?next=/account`); anything else is the home page. */
export function returnPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && /^\/(account|admin|schedule)?$/.test(next) ? next : '/';
}

/** Moves the focus to a step's heading when the page changes step, so a screen reader starts there. */
export function focusHeading(heading: HTMLElement): void {
  setAttrs(heading, { tabindex: -1 });
  heading.focus();
}
