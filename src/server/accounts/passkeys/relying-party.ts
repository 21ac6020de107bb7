/**
 * Who Sabha is to an authenticator: the WebAuthn relying party id (a host name, to which a credential is bound for
 * good) and the origin pages are served from (which the browser writes into every clientDataJSON).
 *
 * With `publicUrl` set, both come from it and nothing a request says changes them: a passkey registered at
 * https://meet.example.org is bound to `meet.example.org`. Without it (a server on loopback, tests), they come from
 * the scheme the request arrived on and its `Host` header; that is safe because a browser only lets a page make
 * credentials for its own host (a page of another site cannot produce a response with our origin or RP id hash),
 * but then the RP id changes when the address does, and so a production server sets `publicUrl`.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface RelyingParty {
  /** The RP id: a host name (no port). */
  id: string;
  /** `scheme://host[:port]`, exactly as a browser serialises the page's origin. */
  origin: string;
  /** Shown by some authenticators beside the account. */
  name: string;
}

export const RP_NAME = 'Sabha';

/** The relying party for this request; undefined when the request names no usable host (no passkeys then). */
export function relyingPartyFor(publicUrl: string | null | undefined, req: IncomingMessage): RelyingParty | undefined {
  let url: URL;
  try {
    if (publicUrl) url = new URL(publicUrl);
    else {
      const host = req.headers.host;
      if (typeof host !== 'string' || !/^[A-Za-z0-9.:[\]-]{1,260}$/.test(host)) return undefined;
      const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
      url = new URL(`${scheme}://${host}`);
    }
  } catch {
    return undefined;
  }
  return { id: url.hostname.replace(/^\[|\]$/g, ''), origin: url.origin, name: RP_NAME };
}
