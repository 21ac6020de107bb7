/**
 * GET /connectivity-check: what the pre-join page needs to find out, before anyone has admitted the
 * person, which ways to the media relay their network allows (src/web/connectivity/). It answers with a
 * TURN credential that is valid for CHECK_TTL_SECONDS only, under a reference that starts with "check-", and
 * gives out at most CHECKS_PER_MINUTE of them to one client address. Such a credential can reach nothing
 * but Janus's media ports, where no ICE session of the holder exists, so what it buys a stranger is a
 * relay allocation that leads nowhere, for a minute (docs/threat-model.md, "TURN relay").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectivityCheckAnswer } from '../../protocol/index.ts';
import { hostOfHostHeader, type TurnRelay } from './turn-relay.ts';
import { newCredentialReference } from './credentials.ts';

export const CONNECTIVITY_CHECK_PATH = '/connectivity-check';
export const CHECK_TTL_SECONDS = 60;
/** Per client address. A school or office behind one NAT address opens many pre-join pages at once. */
export const CHECKS_PER_MINUTE = 60;
/** Bound on the addresses remembered, so a flood of addresses cannot grow memory without end. */
const MAX_ADDRESSES = 50_000;

export function createConnectivityEndpoint(relay: TurnRelay | undefined, clientAddress: (req: IncomingMessage) => string, headers: Record<string, string>) {
  const recent = new Map<string, number[]>();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== CONNECTIVITY_CHECK_PATH) return false;
    const json = { ...headers, 'Content-Type': 'application/json' };
    if (req.method !== 'GET') {
      res.writeHead(405, { ...json, Allow: 'GET' }).end('{}');
      return true;
    }
    const now = Date.now();
    if (!relay) {
      res.writeHead(200, json).end(JSON.stringify({ iceServers: [], expiresAt: now, relayPorts: [] } satisfies ConnectivityCheckAnswer));
      return true;
    }
    const address = clientAddress(req);
    const times = (recent.get(address) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= CHECKS_PER_MINUTE) {
      res.writeHead(429, { ...json, 'Retry-After': '60' }).end('{}');
      return true;
    }
    times.push(now);
    recent.delete(address);
    recent.set(address, times);
    if (recent.size > MAX_ADDRESSES) recent.delete(recent.keys().next().value as string);

    const host = hostOfHostHeader(req.headers.host);
    // A reference of its own per check: coturn's per-username quota must not make one school's checks fail each other.
    const grant = relay.grant(host, `check-${newCredentialReference()}`, CHECK_TTL_SECONDS);
    const answer: ConnectivityCheckAnswer = grant
      ? { iceServers: grant.iceServers, expiresAt: grant.expiresAt, relayPorts: relay.relayPorts(host) }
      : { iceServers: [], expiresAt: now, relayPorts: [] };
    res.writeHead(200, json).end(JSON.stringify(answer));
    return true;
  };
}
