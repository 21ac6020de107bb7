/**
 * A real OpenID Connect provider for tests: the `oidc-provider` package (the certified implementation many identity
 * servers are built on) on a loopback port, with one confidential client for Sabha, its own RSA signing key,
 * PKCE required, and a few people. Its development login and consent pages are driven over raw HTTP with a cookie
 * jar (`signInAtProvider`), as a browser would click through them: any login name with any password signs in as
 * the account of that name.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface ProviderPerson {
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago (the provider must know Sabha's callback URL before Sabha starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

export async function startTestProvider(options: { redirectUris: string[]; people: Record<string, ProviderPerson>; port?: number; clientSecret?: string }): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'sabha';
  const clientSecret = options.clientSecret ?? randomBytes(32).toString('base64url');
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    // Lifetimes set, so that the provider does not print a notice for each default it falls back to.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const person = options.people[id];
      if (!person) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: person.email, email_verified: person.emailVerified, name: person.name }) };
    },
  });
  // It prints two warnings at start (in-memory storage, development login pages): both are what a test wants.
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Cookies by name with the path they were set for, sent where a browser would send them (host-only, path prefix). */
class PathCookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path = attributes.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^max-age=0$/i.test(a.trim()) || /^expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  header(path: string): string {
    return [...this.#cookies].filter(([, c]) => path.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/**
 * Follows the browser's way from Sabha's redirect to the provider, through its login and consent pages, until the
 * provider sends the browser back to a URL outside itself (Sabha's callback), and returns that URL. `decline`
 * aborts at the login page instead (the person clicked "cancel").
 */
export async function signInAtProvider(authorizationUrl: string, login: string, options: { decline?: boolean } = {}): Promise<URL> {
  const jar = new PathCookieJar();
  const origin = new URL(authorizationUrl).origin;
  let next = new URL(authorizationUrl);
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(next, {
      method: form ? 'POST' : 'GET',
      headers: { Cookie: jar.header(next.pathname), ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      redirect: 'manual',
    });
    jar.keep(response.headers);
    form = undefined;
    const location = response.headers.get('location');
    if (location) {
      await response.arrayBuffer();
      const target = new URL(location, next);
      if (target.origin !== origin) return target;
      next = target;
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${page.slice(0, 300)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!prompt || !action) throw new Error('the provider showed a page with no login or consent form');
    if (options.decline && prompt === 'login') {
      next = new URL(`${new URL(action.replace(/&amp;/g, '&'), next).pathname}/abort`, next);
      continue;
    }
    next = new URL(action.replace(/&amp;/g, '&'), next);
    form = prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
  }
  throw new Error('the provider never sent the browser back');
}
