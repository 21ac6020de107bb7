/**
 * The schedules API (JSON under /api, every error `{error: code}`):
 *
 *   GET  /api/schedules                                    the signed-in user's schedules
 *   POST /api/schedules                                    {title, startsAt, durationMinutes, invitees, weekly, invitedOnly}
 *   POST /api/schedules/:id/cancel
 *   POST /api/schedules/:id/invitations/:invId/revoke
 *   POST /api/invitations/resolve                          {token}: what a personal link leads to (no account needed)
 *
 * The schedule routes need a session (401 `sign-in-required`) and act on the user's own schedules only (another's
 * answers 404 like one that does not exist). Every POST must come from this server's pages (Origin) and, when
 * signed in, carry the session's CSRF token (json-api.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import type { Logger } from '../../log/logger.ts';
import { emailAddress, MAX_INVITEES, scheduleId, secretToken, typedText } from '../../protocol/index.ts';
import { ApiError, pathOf, readJson, requireCsrf, requireSameOrigin, sendError, sendJson } from '../http/json-api.ts';
import type { ScheduleOwner, ScheduleService } from './service.ts';

/** A schedule's title: the meeting title's rule, but not empty. */
const scheduleTitle = typedText({ min: 1, max: 120, trim: true });
/** How far back a start may be (a form submitted a little late) and how far ahead. */
const MAX_PAST_MS = 3_600_000;
const MAX_AHEAD_MS = 2 * 366 * 24 * 3_600_000;

const newScheduleBody = z.strictObject({
  title: scheduleTitle,
  startsAt: z.int().check(z.minimum(0)),
  durationMinutes: z.int().check(z.minimum(5), z.maximum(24 * 60)),
  invitees: z.array(emailAddress).check(z.maxLength(MAX_INVITEES)),
  weekly: z.boolean(),
  invitedOnly: z.boolean(),
});
const resolveBody = z.strictObject({ token: secretToken });

const SCHEDULE_PATH = /^\/api\/schedules\/([^/]+)\/cancel$/;
const REVOKE_PATH = /^\/api\/schedules\/([^/]+)\/invitations\/([^/]+)\/revoke$/;
const INVITATION_ID = /^[a-f0-9]{20}$/;

export interface ScheduleRouteDeps {
  service: ScheduleService;
  /** The session behind a request (accounts' Sessions.current), with its CSRF token. */
  currentUser(req: IncomingMessage): Promise<(ScheduleOwner & { csrf: string }) | null>;
  /** Security events (accounts' audit log): ids and kinds only, never titles or addresses of invitees. */
  audit(event: { type: 'schedule-created' | 'schedule-cancelled' | 'invitation-revoked'; userId: string; address: string }): Promise<void>;
  clientAddress(req: IncomingMessage): string;
  log: Logger;
}

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function scheduleRoutes(deps: ScheduleRouteDeps): HttpRoute {
  const { service } = deps;

  const signedIn = async (req: IncomingMessage, changes: boolean) => {
    if (changes) requireSameOrigin(req);
    const user = await deps.currentUser(req);
    if (!user) throw new ApiError(401, 'sign-in-required');
    if (changes) requireCsrf(req, user);
    return user;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (path === '/api/invitations/resolve') {
      if (method !== 'POST') throw new ApiError(405, 'method-not-allowed');
      requireSameOrigin(req);
      const { token } = await readJson(req, resolveBody);
      sendJson(res, 200, await service.resolve(token, deps.clientAddress(req)));
      return;
    }
    if (path === '/api/schedules') {
      if (method === 'GET') {
        const user = await signedIn(req, false);
        sendJson(res, 200, { schedules: await service.list(user), mail: service.mailConfigured });
        return;
      }
      if (method !== 'POST') throw new ApiError(405, 'method-not-allowed');
      const user = await signedIn(req, true);
      const body = await readJson(req, newScheduleBody);
      const now = Date.now();
      if (body.startsAt < now - MAX_PAST_MS || body.startsAt > now + MAX_AHEAD_MS) throw new ApiError(400, 'bad-request');
      const created = await service.create(user, body);
      await deps.audit({ type: 'schedule-created', userId: user.userId, address: deps.clientAddress(req) });
      sendJson(res, 201, { schedule: created.schedule, links: created.links, mail: service.mailConfigured });
      return;
    }
    const cancel = SCHEDULE_PATH.exec(path);
    const revoke = REVOKE_PATH.exec(path);
    if (!cancel && !revoke) throw new ApiError(404, 'not-found');
    if (method !== 'POST') throw new ApiError(405, 'method-not-allowed');
    const user = await signedIn(req, true);
    const id = (cancel ?? revoke)![1]!;
    if (!scheduleId.safeParse(id).success) throw new ApiError(404, 'not-found');
    if (cancel) {
      await service.cancel(user, id);
      await deps.audit({ type: 'schedule-cancelled', userId: user.userId, address: deps.clientAddress(req) });
    } else {
      const invitationId = revoke![2]!;
      if (!INVITATION_ID.test(invitationId)) throw new ApiError(404, 'not-found');
      await service.revoke(user, id, invitationId);
      await deps.audit({ type: 'invitation-revoked', userId: user.userId, address: deps.clientAddress(req) });
    }
    sendJson(res, 200, { ok: true });
  };

  return async (req, res) => {
    const path = pathOf(req);
    if (path !== '/api/invitations/resolve' && path !== '/api/schedules' && !path.startsWith('/api/schedules/')) return false;
    try {
      await handle(req, res, path);
    } catch (error) {
      const unexpected = sendError(res, error);
      if (unexpected !== undefined) deps.log.error('schedules request failed', { error: unexpected });
    }
    return true;
  };
}
