/**
 * The operator's endpoints: /healthz (alive), /readyz (ready to hold meetings) and /metrics (Prometheus).
 * The same handler serves the public port and the optional metrics listener; only who may read /metrics
 * differs (see `MetricsAccess`). Answers carry no detail beyond fixed names and numbers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../security/random.ts';
import type { Readiness } from './health.ts';
import { METRICS_CONTENT_TYPE, type MetricsRegistry } from './metrics.ts';

/**
 * Who may read /metrics on a listener: `open` (the loopback metrics listener without a token), a bearer
 * token, or nobody (`closed`: the public port when no token is configured, where /metrics is a plain 404).
 */
export type MetricsAccess = { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'closed' };

export interface OpsRoutes {
  readiness: Readiness;
  metrics: MetricsRegistry;
  access: MetricsAccess;
  headers: Record<string, string>;
}

export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Returns false when the request is not for an ops path (the caller serves it otherwise). */
export function handleOpsRequest(routes: OpsRoutes, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (!OPS_PATHS.has(path)) return false;
  const send = (status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...routes.headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (path === '/metrics' && routes.access.kind === 'closed') {
    send(404, 'not found');
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'method not allowed', undefined, { Allow: 'GET, HEAD' });
    return true;
  }
  switch (path) {
    case '/healthz':
      send(200, 'ok\n');
      return true;
    case '/readyz': {
      const report = routes.readiness.report();
      send(report.ready ? 200 : 503, JSON.stringify(report) + '\n', 'application/json');
      return true;
    }
    default: {
      if (routes.access.kind === 'token' && !bearerMatches(req.headers.authorization, routes.access.token)) {
        send(401, 'unauthorized', undefined, { 'WWW-Authenticate': 'Bearer realm="sabha-metrics"' });
        return true;
      }
      send(200, routes.metrics.render(), METRICS_CONTENT_TYPE);
      return true;
    }
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  // Compared in constant time (hashes of both), so the token leaks through neither content nor length.
  return secretsEqual(match?.[1] ?? '', token);
}
