/**
 * Assembles the running server: HTTP(S) for the web client, the WebSocket
 * signalling endpoint at /ws, the meeting registry, and the media engine's
 * lifecycle: if the SFU dies, each meeting's media follows the engine's `down` and
 * `up` by itself (meeting-media.ts) and the meetings go on; only when the engine
 * gives up on the SFU (`failed`, outage-policy.ts) do they end with `media-failure`.
 *
 * It also opens the database (src/server/store/) and, over it, accounts (src/server/accounts/: the /api routes,
 * the session cookie resolved at the WebSocket upgrade, the `whoMayHost` gate on `create-meeting`) and scheduled
 * meetings (src/server/schedules/).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type LeaveReason } from '../protocol/index.ts';
import type { MediaEngine } from '../media/engine.ts';
import { rootLogger, type Logger } from '../log/logger.ts';
import { isLoopbackHost, type SabhaConfig } from './config.ts';
import type { SignedIn } from './accounts/types.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createStaticHandler } from './http/static-files.ts';
import { loadOrCreateCertificate, type TlsMaterial } from './http/tls.ts';
import { MeetingRegistry } from './meetings/registry.ts';
import { Connection } from './signalling/connection.ts';
import { handleMessage } from './signalling/handlers.ts';
import { Readiness } from './ops/health.ts';
import { handleOpsRequest, type MetricsAccess } from './ops/routes.ts';
import { createSabhaMetrics, type TurnStatus } from './ops/sabha-metrics.ts';
import { createConnectivityEndpoint } from '../media/turn/connectivity-endpoint.ts';
import { IceGrant } from '../media/turn/ice-grant.ts';
import { hostOfHostHeader, type TurnRelay } from '../media/turn/turn-relay.ts';
import { openAccounts, type OpenAccountsOptions } from './accounts/index.ts';
import { createHostingGate } from './accounts/hosting.ts';
import { pathOf, sendError, sendJson } from './http/json-api.ts';
import { openDatabase } from './store/open.ts';
import { openSchedules } from './schedules/index.ts';

export interface RunningSabha {
  url: string;
  /** The separate metrics listener (`metrics.port`), if any: http://host:port. */
  metricsUrl: string | undefined;
  registry: MeetingRegistry;
  readiness: Readiness;
  tls: TlsMaterial | undefined;
  /**
   * At first start in `accounts` mode (no administrator enrolled yet): the one-time setup link for the first
   * administrator, for main.ts to print to standard output (never to the log). Otherwise undefined.
   */
  setupLink: string | undefined;
  /**
   * Stops accepting, ends every meeting with `reason` (each participant gets a `left` with it), gives the
   * sockets a moment to deliver that, then closes what is left. Idempotent.
   */
  close(reason?: LeaveReason): Promise<void>;
}

const HEARTBEAT_MS = 15_000;
/** How long a shutdown waits for the `left` messages to reach the clients before it drops the sockets. */
const SHUTDOWN_FLUSH_MS = 2_000;

export interface SabhaOptions {
  config: SabhaConfig;
  engine: MediaEngine;
  /** The TURN supervisor when Sabha runs a relay: /readyz waits for it, /metrics reports it. */
  turn?: TurnStatus | undefined;
  /** The TURN relay whose short-lived credentials admitted participants get (src/media/turn/); none: no relay. */
  relay?: TurnRelay | undefined;
  webRoot?: string;
  log?: Logger;
  /** Tests: a clock and throttle or session settings for the accounts subsystem. */
  accounts?: Pick<OpenAccountsOptions, 'now' | 'throttle' | 'sessions'>;
}

export async function startSabha(options: SabhaOptions): Promise<RunningSabha> {
  const { config, engine } = options;
  const log = options.log ?? rootLogger;
  const webRoot = resolve(options.webRoot ?? 'dist/web');
  const useTls = config.tls === 'on' || (config.tls === 'auto' && !isLoopbackHost(config.host));
  const tls = useTls ? loadOrCreateCertificate({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, dataDir: config.dataDir, hostname: config.host }) : undefined;

  let url = '';
  const db = await openDatabase(config.database, config.dataDir);
  const accounts = await openAccounts({ config, db, log, tls: useTls, listenUrl: () => url, ...(options.accounts ?? {}) }).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const schedules = openSchedules({
    db,
    smtp: config.smtp,
    publicUrl: accounts.context.publicUrl,
    currentUser: (req) => accounts.sessions.current(req),
    audit: (event) => accounts.audit.record(event),
    clientAddress: accounts.clientAddress,
    log,
  });
  const hosting = createHostingGate(config.whoMayHost, accounts.sessions, accounts.audit);
  const apiRoutes = [...accounts.routes, schedules.route];
  const apiHeaders = securityHeaders(useTls);
  /** /api/*: JSON only, the same security headers as every response, never cached; unknown paths 404. */
  const serveApi = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    for (const [name, value] of Object.entries(apiHeaders)) res.setHeader(name, value);
    try {
      for (const route of apiRoutes) if (await route(req, res)) return;
      sendJson(res, 404, { error: 'not-found' });
    } catch (error) {
      const unexpected = sendError(res, error);
      if (unexpected !== undefined) log.error('api request failed', { error: unexpected });
    }
  };

  const limits = config.limits;
  const registry = new MeetingRegistry(
    engine,
    {
      maxMeetings: limits.maxMeetings,
      maxMeetingsPerAddress: limits.maxMeetingsPerAddress,
      maxParticipants: limits.maxParticipantsPerMeeting,
      emptyMeetingMs: limits.emptyMeetingSeconds * 1000,
      unstartedMeetingMs: limits.unstartedMeetingMinutes * 60_000,
      maxDurationMs: limits.maxMeetingMinutes === null ? null : limits.maxMeetingMinutes * 60_000,
      resumeGraceMs: limits.resumeGraceSeconds * 1000,
    },
    log.child('registry'),
  );

  // Every meeting's media listens to the engine's `down` and `up`.
  engine.setMaxListeners(2 * limits.maxMeetings + 10);
  const onEngineFailed = () => {
    log.error('media engine failed: ending its meetings');
    registry.endAll('media-failure');
  };
  engine.on('failed', onEngineFailed);

  const readiness = new Readiness();
  readiness.add('media', { ready: () => engine.state === 'up' });
  if (options.turn) readiness.add('turn', options.turn);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 2, perMessageDeflate: false });
  const metrics = createSabhaMetrics({ meetings: registry, engine, turn: options.turn, connections: () => wss.clients.size });
  const metricsToken = config.metrics.token;
  const publicOps = {
    readiness,
    metrics: metrics.registry,
    access: (metricsToken ? { kind: 'token', token: metricsToken } : { kind: 'closed' }) satisfies MetricsAccess,
    headers: securityHeaders(useTls),
  };

  const serveStatic = createStaticHandler(webRoot, securityHeaders(useTls));
  const connectivityCheck = createConnectivityEndpoint(options.relay, (req) => clientAddress(req), securityHeaders(useTls));
  const onRequest = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    if (handleOpsRequest(publicOps, req, res)) return;
    if (connectivityCheck(req, res)) return;
    if (pathOf(req).startsWith('/api/')) {
      void serveApi(req, res);
      return;
    }
    serveStatic(req, res).catch((error) => {
      log.error('static file failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(onRequest);

  const connectionsByAddress = new Map<string, number>();
  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = config.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  };

  let closing: Promise<void> | undefined;
  server.on('upgrade', (req, socket, head) => {
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = clientAddress(req);
    const path = (req.url ?? '').split('?')[0];
    // Cross-site WebSocket hijacking: a page from another origin may not open our socket.
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || originMatchesHost(origin, req.headers.host);
    const count = connectionsByAddress.get(address) ?? 0;
    if (path !== '/ws' || !sameOrigin || count >= limits.maxConnectionsPerAddress) {
      const status = path !== '/ws' ? '404 Not Found' : !sameOrigin ? '403 Forbidden' : '429 Too Many Requests';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const upgrade = (account: SignedIn | undefined) => {
      if (closing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      // Checked again after the session lookup: other upgrades from this address may have completed meanwhile.
      if ((connectionsByAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) {
        socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
        let alive = true;
        ws.on('pong', () => (alive = true));
        const heartbeat = setInterval(() => {
          if (!alive) return ws.terminate();
          alive = false;
          ws.ping();
        }, HEARTBEAT_MS);
        const iceGrant = options.relay ? new IceGrant(options.relay, hostOfHostHeader(req.headers.host), (m) => connection.send(m)) : undefined;
        const connection = new Connection(ws, {
          address,
          log: log.child('connection'),
          handle: (connection, message) => handleMessage(registry, connection, message, { schedules: schedules.service, hosting }),
          slowConsumer: () => metrics.slowConsumerDisconnects.inc(),
          sending: (message) => iceGrant?.sending(message),
          closed: (connection) => {
            iceGrant?.closed();
            clearInterval(heartbeat);
            const left = (connectionsByAddress.get(address) ?? 1) - 1;
            if (left <= 0) connectionsByAddress.delete(address);
            else connectionsByAddress.set(address, left);
            if (connection.meeting && connection.participant) connection.meeting.detach(connection.participant);
          },
        });
        connection.account = account;
      });
    };
    // The session cookie is read once per socket: `create-meeting` needs it in `accounts` mode (hosting.ts
    // checks it is still live then), and scheduled meetings use it to recognise invitees.
    accounts.sessions.current(req).then(
      (account) => upgrade(account ?? undefined),
      (error: unknown) => {
        log.error('session lookup failed at upgrade', { error });
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  });

  await listen(server, config.port, config.host).catch(async (error: unknown) => {
    schedules.close();
    await accounts.close();
    await db.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  url = `${tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  const setupLink = await accounts.firstAdministratorLink();

  const metricsServer = config.metrics.port === null ? undefined : await listen(
    createHttpServer((req, res) => {
      const access: MetricsAccess = metricsToken ? { kind: 'token', token: metricsToken } : { kind: 'open' };
      if (!handleOpsRequest({ ...publicOps, access, headers: securityHeaders(false) }, req, res)) res.writeHead(404).end();
    }),
    config.metrics.port,
    config.metrics.host,
  ).catch((error: unknown) => {
    server.close();
    throw error;
  });
  const metricsUrl = metricsServer ? `http://${urlHost(config.metrics.host)}:${(metricsServer.address() as AddressInfo).port}` : undefined;

  const close = (reason: LeaveReason = 'server-shutdown') =>
    (closing ??= (async () => {
      readiness.shuttingDown();
      engine.off('failed', onEngineFailed);
      metrics.close();
      // Stop accepting first: no new page loads or sockets while the meetings are told they end.
      const serverClosed = new Promise<void>((done) => server.close(() => done()));
      registry.endAll(reason);
      // Sockets in no meeting (the pre-join page, a creator) get a close frame saying the server is going away.
      for (const client of wss.clients) client.close(1001, 'server-shutdown');
      await allClosed([...wss.clients], SHUTDOWN_FLUSH_MS);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await serverClosed;
      if (metricsServer) {
        const metricsClosed = new Promise<void>((done) => metricsServer.close(() => done()));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      schedules.close();
      await accounts.close();
      await db.close();
    })());

  return { url, metricsUrl, registry, readiness, tls, setupLink, close };
}

async function listen(server: Server, port: number, host: string): Promise<Server> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  return server;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** Resolves when every socket has closed (its close handshake done), or after `timeoutMs`. */
function allClosed(sockets: WebSocket[], timeoutMs: number): Promise<void> {
  const open = sockets.filter((ws) => ws.readyState !== ws.CLOSED);
  if (open.length === 0) return Promise.resolve();
  return new Promise((done) => {
    let left = open.length;
    const timer = setTimeout(done, timeoutMs);
    for (const ws of open) {
      ws.once('close', () => {
        if (--left === 0) {
          clearTimeout(timer);
          done();
        }
      });
    }
  });
}

function originMatchesHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
