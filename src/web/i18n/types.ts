/**
 * The shape of a message catalogue, derived from the English one (src/web/i18n/en.ts, the source of truth).
 * A message is a sentence with `{name}` placeholders, or, when it says how many of something, a plural
 * message: one sentence per plural category (`Intl.PluralRules`: English and Hindi both have `one` and
 * `other`), chosen by the `count` parameter.
 */
import type { en } from './en.ts';

export type PluralMessage = { readonly one: string; readonly other: string };
export type Message = string | PluralMessage;

export type MessageKey = keyof typeof en;

/**
 * Every other language: the same keys as English (a missing or an extra key is a compile error), a plural
 * message where English has one, a plain sentence where English has one.
 */
export type Catalogue = { readonly [K in MessageKey]: (typeof en)[K] extends PluralMessage ? PluralMessage : string };

/** The placeholder names of a sentence: `'Admit {name}'` → `'name'`. */
type PlaceholdersOf<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | PlaceholdersOf<Rest> : never;

type TextsOf<M> = M extends PluralMessage ? M['one'] | M['other'] | '{count}' : M;

/** The parameter names a message needs (a plural message always needs `count`). */
export type ParamName<K extends MessageKey> = PlaceholdersOf<TextsOf<(typeof en)[K]>>;

export type Params<K extends MessageKey, V = string | number> = { readonly [P in ParamName<K>]: V };

/** `t('x')` for a message without placeholders, `t('x', { name })` for one with. */
export type ParamsArg<K extends MessageKey, V = string | number> = [ParamName<K>] extends [never] ? [] : [params: Params<K, V>];

/** The keys of messages without placeholders: what a table of keys (reasons, switches) may hold. */
export type PlainKey = { [K in MessageKey]: [ParamName<K>] extends [never] ? K : never }[MessageKey];
