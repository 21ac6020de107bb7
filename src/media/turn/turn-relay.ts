/**
 * The TURN relay as Sabha's server sees it: where browsers reach it, the secret its credentials are
 * signed with, and (when Sabha runs coturn itself) the supervised process. `ready()` feeds /readyz.
 *
 * Two kinds:
 *   - spawned: Sabha writes coturn's private config, starts and supervises `turnserver`;
 *   - external: a TURN server the operator runs, given by its URLs and its `static-auth-secret`.
 */
import type { IceServerInfo } from '../../protocol/index.ts';
import { turnCredential } from './credentials.ts';
import type { TurnProcess } from './process.ts';
import type { TurnCli } from './cli.ts';

export interface RelayPort {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
}

export type TurnEndpoints =
  /** `publicHost` null: the host name the browser used to reach Sabha. */
  | { kind: 'spawned'; publicHost: string | null; port: number; tlsPort: number | null }
  | { kind: 'external'; urls: string[] };

export interface IceServerGrant {
  iceServers: IceServerInfo[];
  /** Unix milliseconds. */
  expiresAt: number;
}

const HOST_NAME = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])$/;

/** The host part of an HTTP Host header ("example.org:8443", "[::1]:8443"), or null when it is not a plain host. */
export function hostOfHostHeader(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(header.trim());
  const host = m?.[1];
  return host && HOST_NAME.test(host) ? host : null;
}

export class TurnRelay {
  constructor(
    private readonly endpoints: TurnEndpoints,
    private readonly secret: string,
    /** How long a credential stays valid; a participant's is renewed at half of it. */
    readonly credentialTtlSeconds: number,
    private readonly process?: TurnProcess,
    private readonly cli?: TurnCli,
  ) {}

  /**
   * Ends the relay allocations made with credentials of `reference` (a participant who left), through
   * coturn's CLI. Resolves with how many were cancelled; null when this relay cannot (an external one).
   */
  async revoke(reference: string): Promise<number | null> {
    if (!this.cli || !this.ready()) return null;
    try {
      return await this.cli.cancelSessionsOf(reference);
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    await this.process?.start();
  }

  async close(): Promise<void> {
    await this.process?.stop();
  }

  /** Up: the spawned turnserver runs (an external one is assumed up). */
  ready(): boolean {
    return this.process ? this.process.running : true;
  }

  get supervisor(): TurnProcess | undefined {
    return this.process;
  }

  /** Where the relay listens, as a browser that reached Sabha at `requestHost` must reach it. */
  relayPorts(requestHost: string | null): RelayPort[] {
    if (this.endpoints.kind === 'external') {
      return this.endpoints.urls.flatMap((url) => {
        const m = /^(turns?):(.+):(\d+)(?:\?transport=(udp|tcp))?$/.exec(url);
        if (!m) return [];
        const transport = m[1] === 'turns' ? 'tls' : m[4] === 'tcp' ? 'tcp' : 'udp';
        return [{ transport, host: m[2]!, port: Number(m[3]) } satisfies RelayPort];
      });
    }
    const host = this.endpoints.publicHost ?? requestHost;
    if (!host) return [];
    const e = this.endpoints;
    return [
      { transport: 'udp', host, port: e.port },
      { transport: 'tcp', host, port: e.port },
      ...(e.tlsPort !== null ? [{ transport: 'tls' as const, host, port: e.tlsPort }] : []),
    ];
  }

  /** The relay with a fresh credential for `reference`, valid `ttlSeconds`; null when no URL can be named. */
  grant(requestHost: string | null, reference: string, ttlSeconds = this.credentialTtlSeconds): IceServerGrant | null {
    const urls = this.endpoints.kind === 'external'
      ? this.endpoints.urls
      : this.relayPorts(requestHost).map((p) => (p.transport === 'tls' ? `turns:${p.host}:${p.port}?transport=tcp` : `turn:${p.host}:${p.port}?transport=${p.transport}`));
    if (urls.length === 0) return null;
    const c = turnCredential(this.secret, reference, ttlSeconds);
    return { iceServers: [{ urls, username: c.username, credential: c.credential }], expiresAt: c.expiresAt };
  }
}
