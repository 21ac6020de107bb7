/**
 * The one rule for text a person types and others see: display names, meeting titles, chat (plain and,
 * after it is opened, end-to-end encrypted). The server applies it through the shared schemas; the client
 * applies it again to chat it decrypts, which the server never sees.
 *
 * Refused everywhere:
 * - C0 controls U+0000–U+001F and DEL U+007F (NUL, ESC and its ANSI sequences, CR, tab…), except a line
 *   feed U+000A where a field allows several lines (chat);
 * - C1 controls U+0080–U+009F (U+0085 NEL is a line break to some renderers, U+009B a one-byte CSI);
 * - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks by another name, so a single-line field
 *   could hold several lines and a chat message could break where `\n` is the only break allowed;
 * - bidi embeddings and overrides U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and isolates U+2066–U+2069 (LRI,
 *   RLI, FSI, PDI): they reorder what follows them, so `invoice\u202Efdp.exe` reads as `invoiceexe.pdf`;
 * - lone surrogates: not text at all, and shown as U+FFFD by some and dropped by others.
 *
 * Allowed: the marks U+200E LRM, U+200F RLM and U+061C ALM. They are invisible strong characters that only
 * settle the direction of neutral characters next to them; they cannot reorder text beyond their own run,
 * and people writing Arabic, Hebrew or Urdu next to digits or Latin text need them. The UI shows every such
 * text isolated (`dir="auto"` or `<bdi>`), so whatever direction a text takes stays inside it.
 */
import * as z from 'zod/mini';

/** Every forbidden character of a single-line text (see above). `u` flag: surrogate pairs are one character. */
const FORBIDDEN_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The same, with the line feed allowed. */
const FORBIDDEN_IN_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

export interface TypedTextOptions {
  /** Most UTF-16 code units (what `String.length` counts). */
  max: number;
  /** Fewest code units, after trimming if `trim` is set. Default 0. */
  min?: number;
  /** Allow U+000A LINE FEED (and only it) as a line break. Default false. */
  allowNewline?: boolean;
  /** Drop white space at both ends before checking. Default false. */
  trim?: boolean;
}

/** True if `text` holds none of the characters the rule refuses. Use where a schema does not fit. */
export function isTypedTextAllowed(text: string, options: { allowNewline?: boolean } = {}): boolean {
  return !(options.allowNewline === true ? FORBIDDEN_IN_LINES : FORBIDDEN_IN_LINE).test(text);
}

/** A schema for text a person types and others see: bounded, and refusing every character listed above. */
export function typedText(options: TypedTextOptions) {
  const allowNewline = options.allowNewline === true;
  const allowed = z.refine<string>((s) => isTypedTextAllowed(s, { allowNewline }), {
    message: allowNewline ? 'control, bidi or separator characters are not allowed' : 'control, bidi, separator or line break characters are not allowed',
  });
  const length = [z.minLength(options.min ?? 0), z.maxLength(options.max)] as const;
  return options.trim === true ? z.string().check(z.trim(), ...length, allowed) : z.string().check(...length, allowed);
}
