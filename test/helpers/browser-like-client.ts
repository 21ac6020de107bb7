/**
 * A browser as Sabha's server sees it, over raw HTTP: cookies kept from Set-Cookie (by name), `Origin` sent on
 * POST (a page of `origin`, by default the server's own), and the session's CSRF token in `X-Sabha-CSRF` once
 * `refreshSession()` has read it from `GET /api/session`, as the web pages do. Redirects are not followed: a test
 * sees each one.
 */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export class BrowserLikeClient {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  origin: string;
  csrf: string | null = null;

  constructor(base: string, origin: string = base) {
    this.base = base;
    this.origin = origin;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keepCookies(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** `pathOrUrl`: a path on the server, or a whole URL (a redirect's Location). */
  async get(pathOrUrl: string): Promise<Answer> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : this.base + pathOrUrl;
    const response = await fetch(url, { headers: { Cookie: this.cookieHeader(), Accept: 'application/json' }, redirect: 'manual' });
    this.keepCookies(response.headers);
    return { status: response.status, body: await jsonOf(response), headers: response.headers };
  }

  async post(path: string, body: unknown, options: { csrf?: string | null; origin?: string | null } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', Cookie: this.cookieHeader() };
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin !== null) headers.Origin = origin;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf) headers['X-Sabha-CSRF'] = csrf;
    const response = await fetch(this.base + path, { method: 'POST', headers, body: JSON.stringify(body), redirect: 'manual' });
    this.keepCookies(response.headers);
    return { status: response.status, body: await jsonOf(response), headers: response.headers };
  }

  /** GET /api/session; remembers the CSRF token when signed in. */
  async refreshSession(): Promise<Record<string, unknown>> {
    const { body } = await this.get('/api/session');
    this.csrf = body.signedIn === true ? String(body.csrf) : null;
    return body;
  }
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { text };
  }
}
