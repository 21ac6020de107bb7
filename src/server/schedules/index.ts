/**
 * Scheduled meetings with personal invitations, assembled: the repository over the shared database, the mailer
 * when `smtp` is configured, the service with its in-memory live occurrences, and the HTTP route.
 *
 * app.ts passes `service` to the WebSocket handlers (create-meeting with a scheduleId, join with an invitation)
 * and `route` to the /api routes.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import type { Database } from '../store/database.ts';
import { InvitationMailer, type SmtpSettings } from './mailer.ts';
import { ScheduleRepository } from './repository.ts';
import { scheduleRoutes, type HttpRoute, type ScheduleRouteDeps } from './routes.ts';
import { ScheduleService } from './service.ts';

export { SCHEDULES_MIGRATIONS } from './schema.ts';
export type { ScheduleService } from './service.ts';

export interface Schedules {
  service: ScheduleService;
  route: HttpRoute;
  mailer: InvitationMailer | null;
  close(): void;
}

export interface OpenSchedulesOptions {
  db: Database;
  smtp: SmtpSettings | null;
  /** The base of invitation links: `publicUrl`, or the URL the server listens on. */
  publicUrl: () => string;
  currentUser: ScheduleRouteDeps['currentUser'];
  audit: ScheduleRouteDeps['audit'];
  clientAddress(req: IncomingMessage): string;
  log: Logger;
  /** Tests: faster retries. */
  retryDelaysMs?: readonly number[];
}

export function openSchedules(options: OpenSchedulesOptions): Schedules {
  const log = options.log.child('schedules');
  const mailer = options.smtp ? new InvitationMailer({ smtp: options.smtp, log, ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}) }) : null;
  const service = new ScheduleService({
    repository: new ScheduleRepository(options.db),
    mailer,
    publicUrl: options.publicUrl,
    organizerAddress: organizerAddress(options.smtp?.from),
    log,
  });
  const route = scheduleRoutes({ service, currentUser: options.currentUser, audit: options.audit, clientAddress: options.clientAddress, log });
  return { service, route, mailer, close: () => mailer?.close() };
}

/** The bare address of `smtp.from` (`Name <a@b>` or `a@b`), for the .ics ORGANIZER. */
function organizerAddress(from: string | undefined): string {
  const match = from ? /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(from) : null;
  return match ? match[1]! : 'noreply@invalid';
}
