/**
 * The scheduling pages' addresses: `/schedule` (a signed-in host's schedules) and `/i/<token>` (an invitee's
 * personal link). The token is the path's last segment; the page keeps it in memory only and takes it out of the
 * address bar (a shared screen must not show it), leaving `/i/`.
 */
import type { PageHost } from '../accounts/routes.ts';
import { invitationPage } from './invitation-page.ts';
import { schedulePage } from './schedule-page.ts';

export type SchedulePage = { kind: 'schedule' } | { kind: 'invitation'; token: string | null };

export function schedulePageOf(pathname: string): SchedulePage | null {
  if (/^\/schedule\/?$/.test(pathname)) return { kind: 'schedule' };
  const match = /^\/i\/([^/]*)\/?$/.exec(pathname);
  if (!match) return null;
  return { kind: 'invitation', token: /^[A-Za-z0-9_-]{22,64}$/.test(match[1]!) ? match[1]! : null };
}

export async function openSchedulePage(page: SchedulePage, host: PageHost): Promise<void> {
  if (page.kind === 'schedule') return schedulePage(host);
  if (page.token !== null) history.replaceState(null, '', '/i/');
  host.show(invitationPage(page.token, host.navigate));
}
