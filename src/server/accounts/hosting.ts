/**
 * Who may create meetings (config `whoMayHost`). In `accounts` mode only a WebSocket whose upgrade request
 * carried a live session (app.ts resolves it into `connection.account`) may send `create-meeting`, and the
 * session is checked again at that moment, so signing out, "sign out everywhere" or an administrator disabling
 * the user stops an open socket from creating meetings too. A meeting created by an account records its owner
 * and an audit event `meeting-created` (no title, no meeting id). Joining by link never needs an account.
 */
import { ProtocolError } from '../errors.ts';
import type { HostingGate } from '../signalling/handlers.ts';
import type { AuditLog, Sessions, WhoMayHost } from './types.ts';

export function createHostingGate(whoMayHost: WhoMayHost, sessions: Sessions, audit: AuditLog): HostingGate {
  return {
    async mayCreate(connection) {
      if (whoMayHost === 'anyone') return;
      const account = connection.account;
      if (!account || !(await sessions.isLive(account.sessionId))) {
        connection.account = undefined;
        throw new ProtocolError('sign-in-required', 'sign in to start a meeting');
      }
    },
    async created(connection, meeting, scheduled) {
      const account = connection.account;
      if (!account) return;
      meeting.ownerUserId = account.userId;
      await audit.record({ type: 'meeting-created', userId: account.userId, address: connection.address, detail: scheduled ? 'scheduled' : 'ad-hoc' });
    },
  };
}
