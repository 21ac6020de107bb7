/**
 * The name a recording is saved under: the meeting's title, the local date and time it started, and a random
 * suffix, so that two recordings never share a name (the advisories ask for a unique name). The title is typed
 * text: whatever could mean something to a file system (separators, dots, control and reserved characters) is
 * replaced, and it is cut short.
 */

const MAX_TITLE_CHARS = 60;
const SUFFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Letters, marks and digits of any script stay; every other run of characters becomes one hyphen. */
export function safeTitle(title: string): string {
  const cleaned = title
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const short = [...cleaned].slice(0, MAX_TITLE_CHARS).join('').replace(/-+$/, '');
  return short === '' ? 'meeting' : short;
}

/** Six characters from a CSPRNG (30 bits): unique enough for one person's recordings. */
export function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** e.g. `Weekly-review_2026-11-28_14-05-09_k3x9qa.webm` */
export function recordingFileName(title: string, startedAt: Date, suffix = randomSuffix()): string {
  const d = startedAt;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
  return `${safeTitle(title)}_${date}_${time}_${suffix}.webm`;
}
