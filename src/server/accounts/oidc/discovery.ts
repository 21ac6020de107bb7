/**
 * The identity provider's metadata (OpenID Connect Discovery), fetched with openid-client without ever holding up
 * Sabha: started at Sabha's start, and when that failed (the provider down or unreachable), tried again when
 * someone next asks to sign in, at most once per RETRY_AFTER_MS. Meanwhile single sign-on answers "not
 * available right now" and everything else works.
 *
 *   states: idle → fetching → ready
 *                      ↓ (error)
 *                    failed(at) → fetching (on the next request after RETRY_AFTER_MS)
 *
 * A provider must be https; plain http is accepted only for an issuer on a loopback address (a provider started
 * by a test on the same machine), where no network lies between the two.
 */
import * as client from 'openid-client';
import type { Logger } from '../../../log/logger.ts';

/** How long a discovery request may take: the first sign-in after an outage waits at most this. */
export const DISCOVERY_TIMEOUT_SECONDS = 5;
/** A failed discovery is not tried again sooner than this. */
export const RETRY_AFTER_MS = 10_000;

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

type State = { kind: 'idle' } | { kind: 'fetching'; done: Promise<client.Configuration | undefined> } | { kind: 'ready'; configuration: client.Configuration } | { kind: 'failed'; at: number };

export class IssuerDiscovery {
  readonly #settings: OidcClientSettings;
  readonly #log: Logger;
  readonly #now: () => number;
  #state: State = { kind: 'idle' };

  constructor(settings: OidcClientSettings, log: Logger, now: () => number = Date.now) {
    this.#settings = settings;
    this.#log = log;
    this.#now = now;
  }

  /** Whether the issuer may be used at all (https, or http on loopback). */
  static issuerAllowed(issuer: string): boolean {
    try {
      const url = new URL(issuer);
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname));
    } catch {
      return false;
    }
  }

  /** The provider's configuration, fetching it if due; undefined while the provider cannot be reached. */
  configuration(): Promise<client.Configuration | undefined> {
    const state = this.#state;
    if (state.kind === 'ready') return Promise.resolve(state.configuration);
    if (state.kind === 'fetching') return state.done;
    if (state.kind === 'failed' && this.#now() - state.at < RETRY_AFTER_MS) return Promise.resolve(undefined);
    const done = this.#fetch();
    this.#state = { kind: 'fetching', done };
    return done;
  }

  async #fetch(): Promise<client.Configuration | undefined> {
    const { issuer, clientId, clientSecret } = this.#settings;
    try {
      const insecure = new URL(issuer).protocol === 'http:';
      const configuration = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      this.#state = { kind: 'ready', configuration };
      this.#log.info('identity provider discovered');
      return configuration;
    } catch (error) {
      this.#state = { kind: 'failed', at: this.#now() };
      // The error names the issuer URL at most (configuration, not a secret); the client secret is never in it.
      this.#log.warn('identity provider discovery failed; single sign-on unavailable until it succeeds', { error });
      return undefined;
    }
  }
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
