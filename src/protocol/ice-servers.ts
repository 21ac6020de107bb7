/**
 * TURN servers as the server hands them to a browser: in the `ice-servers` message to admitted
 * participants, and in the answer of the pre-join connectivity check (GET /connectivity-check).
 * Strict, like every message: the browser puts these straight into RTCPeerConnection's configuration.
 */
import * as z from 'zod/mini';

/** `turn:` or `turns:`, a host name, IPv4 or bracketed IPv6 address, a port, and at most a transport. */
export const TURN_URL_PATTERN = /^turns?:(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):\d{1,5}(?:\?transport=(?:udp|tcp))?$/;

export const iceServer = z.strictObject({
  urls: z.array(z.string().check(z.maxLength(300), z.regex(TURN_URL_PATTERN))).check(z.minLength(1), z.maxLength(4)),
  /** TURN REST API: "<expiry in Unix seconds>:<opaque reference>". */
  username: z.string().check(z.minLength(1), z.maxLength(128)),
  /** base64 HMAC-SHA1 of the username. */
  credential: z.string().check(z.minLength(1), z.maxLength(128)),
});
export type IceServerInfo = z.infer<typeof iceServer>;

export const iceServerList = z.array(iceServer).check(z.maxLength(2));

/** The pre-join check's answer: a credential good for a minute, to see which ways to the relay work. */
export const connectivityCheckAnswer = z.strictObject({
  iceServers: iceServerList,
  /** Unix milliseconds after which the credential is refused. */
  expiresAt: z.int(),
  /** Where the relay listens, in words for the IT department: "udp 3478", "tcp 3478", "tls 443". */
  relayPorts: z.array(z.strictObject({ transport: z.enum(['udp', 'tcp', 'tls']), host: z.string().check(z.maxLength(255)), port: z.int() })).check(z.maxLength(4)),
});
export type ConnectivityCheckAnswer = z.infer<typeof connectivityCheckAnswer>;
