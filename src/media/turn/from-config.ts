/**
 * Builds the TURN relay the configuration asks for (`turn.*`), next to engineFromConfig for Janus.
 * For a spawned coturn it works out what the private config needs: Janus's media addresses (the only
 * peers the relay may reach, from `janus.iceEnforceList` and `janus.natPublicIp`), the listening
 * address, free ports when 0 is configured, and Sabha's certificate for TURN over TLS.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../../log/logger.ts';
import { ConfigError, type SabhaConfig } from '../../server/config.ts';
import { loadOrCreateCertificate } from '../../server/http/tls.ts';
import { freeLoopbackPort, lanInterface } from '../../server/local-network.ts';
import { TurnCli } from './cli.ts';
import { writeTurnConfig } from './config-writer.ts';
import { TurnProcess } from './process.ts';
import { turnCredential } from './credentials.ts';
import { TurnRelay } from './turn-relay.ts';

export async function turnRelayFromConfig(config: SabhaConfig, logger: Logger): Promise<TurnRelay | undefined> {
  const turn = config.turn;
  if (turn.mode === 'off') return undefined;
  if (turn.mode === 'external') {
    return new TurnRelay({ kind: 'external', urls: turn.urls! }, turn.secret!, turn.credentialTtlSeconds);
  }
  if (config.janus.mode !== 'spawn') {
    throw new ConfigError('invalid configuration: turn.mode "spawn" needs janus.mode "spawn" (it relays only to the Janus Sabha runs); use turn.mode "external" or "off"');
  }
  const janusAddresses = janusMediaAddresses(config);
  if (janusAddresses.length === 0) throw new ConfigError('invalid configuration: no IPv4 address of Janus\'s media interface to relay to');
  const listenIps = turn.listenIp ? [turn.listenIp] : listenAddressesFor(config.host);
  const probeAddress = listenIps[0] ?? '127.0.0.1';
  const port = turn.port || (await freeUdpAndTcpPort(probeAddress));
  const tlsPort = turn.tlsPort === null ? null : turn.tlsPort || (await freeUdpAndTcpPort(probeAddress, [port]));
  const [min, max] = turn.relayPortRange.split('-').map(Number) as [number, number];
  const dir = resolve(config.dataDir, 'turn');
  const secret = randomBytes(32).toString('base64url');
  const cli = { port: await freeLoopbackPort(), password: randomBytes(32).toString('base64url') };

  let tls: { port: number; certFile: string; keyFile: string } | undefined;
  if (tlsPort !== null) {
    // Sabha's own certificate (the operator's, or the self-signed one in dataDir/tls), copied into the private
    // directory so that coturn reads it from a plain path whatever the operator's path looks like.
    const material = loadOrCreateCertificate({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, dataDir: resolve(config.dataDir), hostname: config.host });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    tls = { port: tlsPort, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    for (const [path, data] of [[tls.certFile, material.cert], [tls.keyFile, material.key]] as const) {
      await writeFile(path, data, { mode: 0o600 });
      await chmod(path, 0o600);
    }
  }
  const files = await writeTurnConfig({
    dir, secret, realm: 'sabha', listenIps, port, ...(tls ? { tls } : {}),
    relayIp: janusAddresses[0]!, allowedPeerIps: janusAddresses, relayPortRange: { min, max }, cli,
    verbose: process.env.SABHA_LOG_LEVEL === 'debug',
  });
  const supervisor = new TurnProcess({
    binary: turn.binary, configFile: files.configFile, dir: files.dir, probeAddress, probePort: port, logger: logger.child('turn'),
    probeCredential: () => {
      const c = turnCredential(secret, 'readiness', 60);
      return { username: c.username, credential: c.credential };
    },
  });
  return new TurnRelay({ kind: 'spawned', publicHost: turn.publicHost, port, tlsPort: tls?.port ?? null }, secret, turn.credentialTtlSeconds, supervisor, new TurnCli(cli.port, cli.password));
}

/**
 * The IPv4 addresses Janus offers media candidates on: those of the interfaces (or address prefixes) in
 * `janus.iceEnforceList`, as Janus matches them, plus the NAT address it advertises.
 */
export function janusMediaAddresses(config: SabhaConfig, interfaces = networkInterfaces()): string[] {
  const list = config.janus.iceEnforceList === 'auto' ? [lanInterface()?.name ?? ''] : config.janus.iceEnforceList.split(',');
  const out = new Set<string>();
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || info.family !== 'IPv4') continue;
      if (list.some((entry) => entry !== '' && (name.startsWith(entry) || info.address.startsWith(entry)))) out.add(info.address);
    }
  }
  if (config.janus.natPublicIp && isIP(config.janus.natPublicIp) === 4) out.add(config.janus.natPublicIp);
  return [...out];
}

/** Where coturn listens when `turn.listenIp` is not set: where Sabha listens. */
function listenAddressesFor(host: string): string[] {
  if (host === '0.0.0.0' || host === '::') return [];
  if (host === 'localhost') return ['127.0.0.1'];
  return isIP(host) ? [host] : [];
}

/** A port free for both UDP and TCP on `address` a moment ago (for tests that configure port 0). */
async function freeUdpAndTcpPort(address: string, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((done, fail) => {
      const probe = createServer();
      probe.once('error', fail);
      probe.listen(0, address, () => {
        const a = probe.address();
        probe.close(() => done(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (avoid.includes(port)) continue;
    const udpFree = await new Promise<boolean>((done) => {
      const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
      socket.once('error', () => done(false));
      socket.bind(port, address, () => socket.close(() => done(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port for the TURN relay');
}
