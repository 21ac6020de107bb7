/**
 * Showing what people typed (names, titles, chat) so that its direction stays inside it. Arabic or Hebrew
 * text, or text that starts with a neutral character, would otherwise take the punctuation and words next
 * to it along into its own direction ("Alice (you)" next to an RTL name reads "(you) …"). The typed-text rule
 * (src/protocol/text.ts) already refuses overrides and isolates inside the text; isolating it here keeps
 * even an honest right-to-left name from reordering what surrounds it.
 *
 * Elements whose whole content is typed text get `dir="auto"` (see `typedTextAttrs`); typed text inside a
 * sentence of ours goes in a `<bdi>` (see `bdi`); places that take plain text only (the `title` tooltip,
 * `confirm()`, toasts, the document title) get it wrapped in FSI…PDI (see `isolate`).
 */
import { h } from './dom.ts';

/** Attributes for an element that shows nothing but typed text: its direction comes from its first strong letter. */
export const typedTextAttrs = { dir: 'auto' } as const;

/** Typed text as an inline element isolated from the text around it. */
export function bdi(text: string, className?: string): HTMLElement {
  return h('bdi', className === undefined ? { text } : { class: className, text });
}

/** FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: the plain-text `<bdi>`, for strings that cannot hold elements. */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
