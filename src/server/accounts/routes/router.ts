/**
 * A tiny router for the JSON API: a route matches a method and a path (a string, or a pattern whose groups are
 * the parameters), runs its handler, and turns what the handler throws into `{error: code}` (ApiError) or
 * `500 internal` (anything else, logged without detail reaching the client). Every POST first passes the
 * same-origin check; `auth: 'user' | 'admin'` routes need a session and, for POST, its CSRF token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../log/logger.ts';
import { ApiError, pathOf, requireCsrf, requireSameOrigin, sendError, sendJson } from '../../http/json-api.ts';
import type { HttpRoute, Sessions, SignedIn } from '../types.ts';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  /** The session, for routes with `auth`; for `auth: 'none'` the session if there is one. */
  signedIn: SignedIn | null;
}

type Handler = (request: RouteRequest) => Promise<unknown>;

export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string | RegExp;
  auth: 'none' | 'user' | 'admin';
  /** Resolves the JSON body to send with 200 (the handler may instead write the response itself and return undefined). */
  handle: Handler;
}

export function jsonRoute(spec: RouteSpec, sessions: Sessions, log: Logger): HttpRoute {
  return async (req, res) => {
    const path = pathOf(req);
    let params: string[];
    if (typeof spec.path === 'string') {
      if (path !== spec.path) return false;
      params = [];
    } else {
      const m = spec.path.exec(path);
      if (!m) return false;
      params = m.slice(1);
    }
    // Another route may serve the same path with another method; an unserved pair ends at the API's 404.
    if (req.method !== spec.method) return false;
    try {
      if (spec.method === 'POST') requireSameOrigin(req);
      const signedIn = await sessions.current(req);
      if (spec.auth !== 'none') {
        if (!signedIn) throw new ApiError(401, 'sign-in-required');
        if (spec.method === 'POST') requireCsrf(req, signedIn);
        if (spec.auth === 'admin' && signedIn.role !== 'admin') throw new ApiError(403, 'forbidden');
      }
      const body = await spec.handle({ req, res, params, signedIn });
      if (!res.writableEnded) sendJson(res, 200, body ?? { ok: true });
    } catch (error) {
      const unexpected = sendError(res, error);
      if (unexpected !== undefined) log.error('api request failed', { path: typeof spec.path === 'string' ? spec.path : spec.path.source, error: unexpected });
    }
    return true;
  };
}
