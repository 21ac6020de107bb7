/**
 * Serves the built web client from one directory. Only GET and HEAD, only files
 * that exist below the root (no traversal), and the app page for meeting links.
 * A browser that navigates to any other address gets the app page with status 404,
 * and the app says there is nothing there, with a link home; other requests get a
 * plain 404. Neither depends on whether a meeting exists.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** Paths that show the single-page app: the start page and meeting links. */
const APP_PAGES = /^\/(m\/[a-z2-7]{16}\/?)?$/;
/** The account pages (src/web/accounts/routes.ts): sign-in, set-up from an enrolment link, account, admin. */
const ACCOUNT_PAGES = /^\/(signin|enrol|account|admin)\/?$/;
/** Scheduled meetings (src/web/schedule/routes.ts): a host's schedules, and an invitee's personal link `/i/<token>`. */
const SCHEDULE_PAGES = /^\/(schedule\/?|i\/[A-Za-z0-9_-]{0,64}\/?)$/;

export function createStaticHandler(root: string, headers: Record<string, string>) {
  const cache = new Map<string, Buffer>();
  const load = async (file: string): Promise<Buffer | undefined> => {
    const cached = cache.get(file);
    if (cached) return cached;
    const data = await readFile(file).catch(() => undefined);
    if (data) cache.set(file, data);
    return data;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: Buffer | string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (path === '/healthz') return send(200, 'ok');
    const notFound = async () => {
      const page = isNavigation(req) ? await load(join(root, 'index.html')) : undefined;
      return page ? send(404, page, TYPES['.html']) : send(404, 'not found');
    };
    const relative = APP_PAGES.test(path) || ACCOUNT_PAGES.test(path) || SCHEDULE_PAGES.test(path) ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
    const file = join(root, relative);
    if (!file.startsWith(root + sep) || relative.startsWith('.')) return notFound();
    const data = await load(file);
    if (!data) return notFound();
    send(200, data, TYPES[extname(file)] ?? 'application/octet-stream');
  };
}

/** A browser loading a page (not a script, style or image): it asks for HTML. */
function isNavigation(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}
