/**
 * Meeting links and chat links.
 *
 * Meeting link: `/m/<meetingId>#pc=<passcode>[&host=<hostSecret>]`. The secrets live
 * in the fragment, which browsers never send to the server. The app takes them out of
 * the address bar at once (a shared screen or a screenshot would show them); the host
 * secret alone is kept for this tab in sessionStorage, so that a reload is the host
 * again. sessionStorage belongs to one tab, is never sent anywhere, and is gone when
 * the tab closes.
 *
 * Chat: addresses in a message are found so the UI can offer them as buttons that
 * open only after the full address was shown. Only http(s) is recognised, so
 * `javascript:` and other schemes stay plain text.
 */
import { MEETING_ID_PATTERN } from '../protocol/index.ts';

export interface MeetingSecrets {
  passcode: string | null;
  hostSecret: string | null;
  /** A personal invitation's token (`#inv=`, from the `/i/<token>` page), instead of the passcode. */
  invitation: string | null;
}

export function readFragment(hash: string): MeetingSecrets {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return { passcode: params.get('pc'), hostSecret: params.get('host'), invitation: params.get('inv') };
}

/** The meeting link an invitee's page leads to: the invitation in the fragment, which never reaches the server. */
export function invitationMeetingLink(meetingId: string, token: string): string {
  return `/m/${meetingId}#${new URLSearchParams({ inv: token }).toString()}`;
}

/** The meeting id of a meeting link's path, `/m/<id>` (a trailing slash allowed); null for anything else. */
export function meetingIdFromPath(pathname: string): string | null {
  const match = /^\/m\/([a-z2-7]{16})\/?$/.exec(pathname);
  return match ? match[1]! : null;
}

const HOST_SECRET_KEY = 'sabha.hostSecret.';

/** Keeps a meeting's host secret for this tab only; null forgets it. */
export function keepHostSecret(meetingId: string, hostSecret: string | null, storage: Storage | null = tabStorage()): void {
  try {
    if (hostSecret === null) storage?.removeItem(HOST_SECRET_KEY + meetingId);
    else storage?.setItem(HOST_SECRET_KEY + meetingId, hostSecret);
  } catch {
    // Storage disabled or full: the secret lives in memory only, and a reload loses the host role.
  }
}

/** The host secret this tab kept for a meeting, if any. */
export function keptHostSecret(meetingId: string, storage: Storage | null = tabStorage()): string | null {
  try {
    return storage?.getItem(HOST_SECRET_KEY + meetingId) ?? null;
  } catch {
    return null;
  }
}

function tabStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export function meetingLink(origin: string, meetingId: string, passcode: string, hostSecret?: string): string {
  const fragment = new URLSearchParams({ pc: passcode });
  if (hostSecret) fragment.set('host', hostSecret);
  return `${origin}/m/${meetingId}#${fragment.toString()}`;
}

/** Accepts a full meeting link or a bare id, as people paste either. */
export function parseMeetingInput(input: string): { meetingId: string; passcode: string | null } | null {
  const text = input.trim();
  if (MEETING_ID_PATTERN.test(text.toLowerCase())) return { meetingId: text.toLowerCase(), passcode: null };
  try {
    const url = new URL(text);
    const meetingId = meetingIdFromPath(url.pathname);
    return meetingId ? { meetingId, passcode: readFragment(url.hash).passcode } : null;
  } catch {
    return null;
  }
}

export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+/gi;

export function splitLinks(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    // Trailing punctuation usually ends the sentence, not the address.
    const raw = match[0].replace(/[.,;:!?)\]]+$/, '');
    const start = match.index;
    let href: string | null = null;
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') href = url.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}
