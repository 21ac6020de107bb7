/**
 * The interfaces of the accounts subsystem that other parts code against: the session of a signed-in user, the
 * HTTP routes every /api module contributes, the audit log and the sign-in throttle. Implementations live beside
 * this file (sessions.ts, audit.ts, throttle.ts, users.ts); index.ts `openAccounts` assembles them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Role = 'admin' | 'member';
export type WhoMayHost = 'accounts' | 'anyone';
export type SignInMethod = 'password-totp' | 'passkey' | 'oidc' | 'enrolment';

/** One /api handler: resolves true when it handled the request (it then wrote the whole response). */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface User {
  id: string;
  /** Lower-cased. */
  email: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export interface Users {
  byId(id: string): Promise<User | undefined>;
  /** Case-insensitive. */
  byEmail(email: string): Promise<User | undefined>;
  /** Throws ApiError(409, 'email-taken') when the e-mail exists. */
  create(input: { email: string; displayName: string; role: Role }): Promise<User>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  list(): Promise<User[]>;
  count(): Promise<number>;
}

/** The signed-in user behind a request or a WebSocket, as the session cookie says. */
export interface SignedIn {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  sessionId: string;
  /** The value the page must send in `X-Sabha-CSRF` with every state-changing request. */
  csrf: string;
}

export interface Sessions {
  /** A new session (a fresh id: rotation, the old cookie's session is revoked), its Set-Cookie, an audit event. */
  signIn(req: IncomingMessage, res: ServerResponse, userId: string, method: SignInMethod): Promise<void>;
  /** From the cookie; null if absent, unknown, revoked, expired, or the user is disabled. Touches last-seen. */
  current(req: IncomingMessage): Promise<SignedIn | null>;
  /** Revokes the cookie's session (if any) and clears the cookie. */
  signOut(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Revokes every session of the user (sign out everywhere, disable, reset). */
  revokeAll(userId: string): Promise<void>;
  /** Whether a session (`SignedIn.sessionId`) is still live: not revoked, not expired, its user not disabled. */
  isLive(sessionId: string): Promise<boolean>;
}

export type AuditEventType =
  | 'sign-in'
  | 'sign-in-failed'
  | 'sign-in-throttled'
  | 'sign-out'
  | 'sign-out-everywhere'
  | 'session-refused'
  | 'totp-replay'
  | 'enrolment-created'
  | 'enrolment-used'
  | 'enrolment-refused'
  | 'password-set'
  | 'totp-set'
  | 'password-changed'
  | 'totp-replaced'
  | 'reauth-failed'
  | 'user-created'
  | 'user-disabled'
  | 'user-enabled'
  | 'user-reset'
  | 'passkey-registered'
  | 'passkey-deleted'
  | 'passkey-replay'
  | 'oidc-sign-in-refused'
  | 'meeting-created'
  | 'schedule-created'
  | 'schedule-cancelled'
  | 'invitation-revoked';

/**
 * One security event. `detail` is a short machine word or two (a method, a reason code), never content:
 * no passwords, codes, tokens, e-mails, names or meeting titles.
 */
export interface AuditEvent {
  type: AuditEventType;
  userId?: string | null | undefined;
  /** The client address (X-Forwarded-For only with trustProxy). */
  address: string;
  detail?: string | null | undefined;
}

export interface StoredAuditEvent {
  id: number;
  at: number;
  type: AuditEventType;
  userId: string | null;
  address: string;
  detail: string | null;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  /** Newest first, at most `limit`, strictly older than `before` (ms) when given. */
  list(options: { before?: number | undefined; limit: number }): Promise<StoredAuditEvent[]>;
}

export interface ThrottleVerdict {
  allowed: boolean;
  /** When not allowed: how long to wait, rounded up. */
  retryAfterSeconds: number;
}

/**
 * Password and TOTP attempts are throttled per account and per address with delays that double. Passkey sign-in
 * does not consult the per-account counters (an attacker failing passwords against an account cannot lock its
 * owner out of passkey sign-in); only the per-address counter of passkey failures applies to it.
 */
export interface SignInThrottle {
  check(kind: 'password' | 'totp' | 'passkey', address: string, accountKey?: string): ThrottleVerdict;
  failure(kind: 'password' | 'totp' | 'passkey', address: string, accountKey?: string): void;
  success(kind: 'password' | 'totp' | 'passkey', address: string, accountKey?: string): void;
}

export interface Accounts {
  whoMayHost: WhoMayHost;
  users: Users;
  sessions: Sessions;
  audit: AuditLog;
  throttle: SignInThrottle;
  /** Every /api/* handler, in order (KEYS' and SCHED's route factories are added in index.ts). */
  routes: HttpRoute[];
  /** The client address of a request (honours trustProxy like the WebSocket does). */
  clientAddress(req: IncomingMessage): string;
  close(): Promise<void>;
}
