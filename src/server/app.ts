/**
 * Assembles the running server: HTTP(S) for the web client, the WebSocket
 * signalling endpoint at /ws, the meeting registry, and the media engine's
 * lifecycle (if the SFU dies, its meetings end and their participants are told).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol/index.ts';
import type { MediaEngine } from '../media/engine.ts';
import { rootLogger, type Logger } from '../log/logger.ts';
import { isLoopbackHost, type SabhaConfig } from './config.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createStaticHandler } from './http/static-files.ts';
import { loadOrCreateCertificate, type TlsMaterial } from './http/tls.ts';
import { MeetingRegistry } from './meetings/registry.ts';
import { Connection } from './signalling/connection.ts';
import { handleMessage } from './signalling/handlers.ts';

export interface RunningSabha {
  url: string;
  registry: MeetingRegistry;
  tls: TlsMaterial | undefined;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 15_000;

export async function startSabha(options: { config: SabhaConfig; engine: MediaEngine; webRoot?: string; log?: Logger }): Promise<RunningSabha> {
  const { config, engine } = options;
  const log = options.log ?? rootLogger;
  const webRoot = resolve(options.webRoot ?? 'dist/web');
  const useTls = config.tls === 'on' || (config.tls === 'auto' && !isLoopbackHost(config.host));
  const tls = useTls ? loadOrCreateCertificate({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, dataDir: config.dataDir, hostname: config.host }) : undefined;

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

  const onEngineDown = () => {
    log.error('media engine down: ending its meetings');
    registry.endAll('media-failure');
  };
  engine.on('down', onEngineDown);

  const serveStatic = createStaticHandler(webRoot, securityHeaders(useTls));
  const onRequest = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES * 2, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
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
    wss.handleUpgrade(req, socket, head, (ws) => {
      connectionsByAddress.set(address, (connectionsByAddress.get(address) ?? 0) + 1);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const heartbeat = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, HEARTBEAT_MS);
      new Connection(ws, {
        address,
        log: log.child('connection'),
        handle: (connection, message) => handleMessage(registry, connection, message),
        closed: (connection) => {
          clearInterval(heartbeat);
          const left = (connectionsByAddress.get(address) ?? 1) - 1;
          if (left <= 0) connectionsByAddress.delete(address);
          else connectionsByAddress.set(address, left);
          if (connection.meeting && connection.participant) connection.meeting.detach(connection.participant);
        },
      });
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${tls ? 'https' : 'http'}://${hostForUrl}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      engine.off('down', onEngineDown);
      registry.endAll('ended');
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((done) => server.close(() => done()));
    })());

  return { url, registry, tls, close };
}

function originMatchesHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
