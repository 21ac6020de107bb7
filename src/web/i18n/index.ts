/**
 * The language of the page: English or Hindi, every string from a typed catalogue (en.ts is the source of
 * truth; hi.ts must have exactly its keys). The language comes from what the person chose before
 * (localStorage), else from the browser's languages (the first of ours in `navigator.languages`), else
 * English. `setLanguage` changes it, remembers it and tells the listeners, which draw the page again.
 *
 * Text that people typed (names, titles, chat) and what the server sends (codes only) are never
 * translated: the server's reasons are codes that src/web/reasons.ts maps to keys here.
 */
import { Emitter } from '../../events/emitter.ts';
import { en } from './en.ts';
import { hi } from './hi.ts';
import type { Catalogue, Message, MessageKey, ParamsArg, PluralMessage } from './types.ts';

export type { MessageKey, PlainKey } from './types.ts';

export const LANGUAGES = ['en', 'hi'] as const;
export type Language = (typeof LANGUAGES)[number];

const CATALOGUES: Record<Language, Catalogue> = { en, hi };

/** Each language's name in itself, for the language menu. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', hi: 'हिन्दी' };

const STORAGE_KEY = 'sabha.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The first of the browser's languages that Sabha speaks (`hi-IN` → hi, `en-GB` → en); English otherwise. */
export function languageFromBrowser(languages: readonly string[]): Language {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

interface LanguageEvents {
  changed: [language: Language];
}

class LanguageState extends Emitter<LanguageEvents> {
  current: Language = 'en';
  plurals = new Intl.PluralRules('en');
  numbers = new Intl.NumberFormat('en');

  announce(language: Language): void {
    this.emit('changed', language);
  }
}

/** One per page: the page has one language at a time. */
const state = new LanguageState();

export function language(): Language {
  return state.current;
}

/** Sets the language without remembering it (the page's start, and tests). */
export function useLanguage(next: Language): void {
  state.current = next;
  state.plurals = new Intl.PluralRules(next);
  state.numbers = new Intl.NumberFormat(next === 'hi' ? 'hi-IN' : 'en-IN');
  if (typeof document !== 'undefined') {
    document.documentElement.lang = next;
    document.documentElement.dir = 'ltr';
  }
}

/** The language at the page's start: the remembered choice, else the browser's. */
export function startLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  const chosen = isLanguage(stored) ? stored : languageFromBrowser(globalThis.navigator?.languages ?? []);
  useLanguage(chosen);
  return chosen;
}

/** The person chose a language: it is remembered in this browser and the page is drawn again in it. */
export function setLanguage(next: Language): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Storage off: the choice lasts as long as the page.
  }
  if (next === state.current) return;
  useLanguage(next);
  state.announce(next);
}

/** Called after the language changed; returns the function that stops it. */
export function onLanguageChange(listener: (language: Language) => void): () => void {
  return state.on('changed', listener);
}

/** A number as the active language writes it. */
export function formatNumber(value: number): string {
  return state.numbers.format(value);
}

/** Names or phrases joined as the active language joins them ("A, B and C" / "A, B और C"). */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(state.current, { type: 'conjunction' }).format(items);
}

/** A time of day (hours and minutes) as the active language writes it. */
export function formatTime(date: Date): string {
  return date.toLocaleTimeString(state.current === 'hi' ? 'hi-IN' : 'en-IN', { hour: '2-digit', minute: '2-digit' });
}

function isPlural(message: Message): message is PluralMessage {
  return typeof message !== 'string';
}

function sentence(key: MessageKey, count: unknown): string {
  // The compiler guarantees every key in every language; the fallbacks only keep a page usable if a build
  // was made from a half-edited catalogue.
  const message: Message = CATALOGUES[state.current][key] ?? en[key] ?? key;
  if (!isPlural(message)) return message;
  const category = typeof count === 'number' ? state.plurals.select(count) : 'other';
  return category === 'one' ? message.one : message.other;
}

function show(value: string | number): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** The message `key` in the active language, its `{placeholders}` filled (numbers written the language's way). */
export function t<K extends MessageKey>(key: K, ...args: ParamsArg<K>): string {
  const params = (args[0] ?? {}) as Record<string, string | number>;
  return sentence(key, params.count).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? show(params[name]!) : whole));
}

/**
 * The message as pieces to append to an element, for placeholders that are elements (a typed name in a
 * `<bdi>`): the language decides where they go in the sentence.
 */
export function tNodes<K extends MessageKey>(key: K, ...args: ParamsArg<K, string | number | Node>): (string | Node)[] {
  const params = (args[0] ?? {}) as Record<string, string | number | Node>;
  const out: (string | Node)[] = [];
  const text = sentence(key, params.count);
  let last = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const value = params[match[1]!];
    if (value === undefined) continue;
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(typeof value === 'object' ? value : show(value));
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** For tests: the catalogues as data. */
export const catalogues: Readonly<Record<Language, Catalogue>> = CATALOGUES;
