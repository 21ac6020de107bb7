/**
 * Writes the private configuration of the coturn `turnserver` that Sabha runs. Debian's
 * /etc/turnserver.conf is never read (`-c` points at this file, and `-n` is not used so that only
 * this file counts). The relay exists for one purpose, carrying browsers' media to Janus when
 * their network blocks UDP, so it may reach nothing else: every peer address is denied but
 * Janus's media address(es), only UDP relays exist (no TCP relay, RFC 6062, into the network),
 * and the management CLI, when on, listens on loopback behind a random password (Sabha uses it to
 * cancel a departed participant's allocations).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';

const safePath = z.string().min(1).max(512).refine((p) => isAbsolute(p) && /^[\w./-]+$/.test(p), 'plain absolute path');
const port = z.number().int().min(1).max(65535);
const ip = z.string().refine((v) => isIP(v) !== 0, 'an IP address');

export const TurnConfigOptionsSchema = z.strictObject({
  /** Private directory; created with mode 0700. */
  dir: safePath,
  /** Shared with Sabha only: signs the short-lived credentials (TURN REST API). */
  secret: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
  realm: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/),
  /** Addresses to listen on; empty: every address of the machine. */
  listenIps: z.array(ip).max(8),
  /** TURN over UDP and TCP. */
  port,
  /** TURN over TLS; absent: no TLS listener. */
  tls: z.optional(z.strictObject({ port, certFile: safePath, keyFile: safePath })),
  /** The address coturn relays from: on Janus's machine, one the kernel routes to Janus. */
  relayIp: ip,
  /** Janus's media addresses: the only peers the relay may send to. */
  allowedPeerIps: z.array(ip).min(1).max(8),
  relayPortRange: z.strictObject({ min: port, max: port }).refine((r) => r.min < r.max, 'min < max'),
  /** Allocations one username may hold at once (a browser makes one per peer connection and transport). */
  userQuota: z.number().int().min(1).max(1000).default(24),
  /** Allocations at once, all users. */
  totalQuota: z.number().int().min(1).default(3000),
  /** Longest allocation lifetime a client may ask for, seconds. */
  maxAllocateLifetime: z.number().int().min(60).max(3600).default(600),
  verbose: z.boolean().default(false),
  /** The management CLI on 127.0.0.1, for Sabha to cancel sessions; absent: no CLI. */
  cli: z.optional(z.strictObject({ port, password: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/) })),
});
export type TurnConfigOptions = z.input<typeof TurnConfigOptionsSchema>;

export interface TurnConfigFiles {
  dir: string;
  /** Pass as `turnserver -c <configFile>`. */
  configFile: string;
}

export async function writeTurnConfig(input: TurnConfigOptions): Promise<TurnConfigFiles> {
  const o = TurnConfigOptionsSchema.parse(input);
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await chmod(o.dir, 0o700);
  const configFile = join(o.dir, 'turnserver.conf');
  await writeFile(configFile, turnserverConf(o), { mode: 0o600 });
  await chmod(configFile, 0o600);
  return { dir: o.dir, configFile };
}

export function turnserverConf(input: TurnConfigOptions): string {
  const o = TurnConfigOptionsSchema.parse(input);
  const lines = [
    '# Written by Sabha; regenerated at every start. Do not edit.',
    ...o.listenIps.map((a) => `listening-ip=${a}`),
    `listening-port=${o.port}`,
    ...(o.tls
      ? [`tls-listening-port=${o.tls.port}`, `cert=${o.tls.certFile}`, `pkey=${o.tls.keyFile}`, 'no-tlsv1', 'no-tlsv1_1']
      : ['no-tls']),
    // Browsers never use TURN over DTLS; one listener fewer.
    'no-dtls',
    // The "alternative" ports of RFC 5780 NAT discovery would be further listeners.
    'no-rfc5780',
    `relay-ip=${o.relayIp}`,
    `min-port=${o.relayPortRange.min}`,
    `max-port=${o.relayPortRange.max}`,
    // Media only: UDP relays to Janus. A TCP relay (RFC 6062) would open TCP connections into the network.
    'no-tcp-relay',
    // Every peer is denied (IPv4 and IPv6) but Janus's media address; allowed-peer-ip wins over denied-peer-ip.
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ...o.allowedPeerIps.map((a) => `allowed-peer-ip=${a}`),
    'no-multicast-peers',
    // Credentials: the TURN REST API, checked with the secret only Sabha and this process share.
    'fingerprint',
    'use-auth-secret',
    `static-auth-secret=${o.secret}`,
    `realm=${o.realm}`,
    'stale-nonce=600',
    `user-quota=${o.userQuota}`,
    `total-quota=${o.totalQuota}`,
    `max-allocate-lifetime=${o.maxAllocateLifetime}`,
    // The CLI only on loopback with a password only Sabha knows (or none); no web admin; no database of users.
    ...(o.cli ? ['cli-ip=127.0.0.1', `cli-port=${o.cli.port}`, `cli-password=${o.cli.password}`] : ['no-cli']),
    'no-auth-pings',
    'no-dynamic-ip-list',
    'no-dynamic-realms',
    // coturn opens an SQLite user database even when it needs none: keep it in the private directory.
    `userdb=${join(o.dir, 'turndb')}`,
    'no-software-attribute',
    'no-stun-backward-compatibility',
    // Logs go to standard output, which Sabha captures; nothing under /var/log. The pid file stays private.
    'log-file=stdout',
    'simple-log',
    `pidfile=${join(o.dir, 'turnserver.pid')}`,
    ...(o.verbose ? ['verbose'] : []),
  ];
  return lines.join('\n') + '\n';
}
