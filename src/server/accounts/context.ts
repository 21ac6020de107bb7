/**
 * What every accounts route (AUTH's, KEYS', SCHED's) is built with: the stores, the throttle, the audit log,
 * and how to tell the client's address and the public URL. index.ts makes one and hands it to each route factory.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import type { SabhaConfig } from '../config.ts';
import type { Database } from '../store/database.ts';
import type { CookieJar } from './cookies.ts';
import type { Credentials } from './credentials.ts';
import type { Enrolment } from './enrolment.ts';
import type { AuditEvent, AuditLog, HttpRoute, Sessions, SignInThrottle, Users, WhoMayHost } from './types.ts';

export interface AccountsContext {
  config: SabhaConfig;
  whoMayHost: WhoMayHost;
  db: Database;
  log: Logger;
  users: Users;
  sessions: Sessions;
  credentials: Credentials;
  enrolment: Enrolment;
  audit: AuditLog;
  /**
   * Records an event caused by an unauthenticated request (a failed sign-in, a refused token), at most a few a
   * second per address: a flood of refusals must not grow the audit table without bound.
   */
  auditRefusal(event: AuditEvent): Promise<void>;
  throttle: SignInThrottle;
  cookies: CookieJar;
  clientAddress(req: IncomingMessage): string;
  /** `publicUrl`, or the URL the server listens on: the base of enrolment and invitation links. */
  publicUrl(): string;
  now(): number;
}

export type RouteFactory = (context: AccountsContext) => HttpRoute[];

/** `<publicUrl>/enrol#<token>`: the token rides in the fragment, which browsers never send to a server. */
export function enrolLink(context: AccountsContext, token: string): string {
  return `${context.publicUrl().replace(/\/+$/, '')}/enrol#${token}`;
}

/** The issuer an authenticator app shows beside the code: "Sabha (host)", so that several servers stay apart. */
export function totpIssuer(context: AccountsContext): string {
  try {
    return `Sabha (${new URL(context.publicUrl()).hostname})`;
  } catch {
    return 'Sabha';
  }
}
