/**
 * A Sabha server with a real Janus and the TURN relay Sabha supervises, reachable from a test network
 * namespace, and a Chromium inside such a namespace behind an nftables firewall. Used by the firewall
 * tests (test/network/firewall-*.test.ts) and the TURN bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSabha, type RunningSabha } from '../../src/server/app.ts';
import { loadConfig, type SabhaConfig } from '../../src/server/config.ts';
import type { MediaEngine } from '../../src/media/engine.ts';
import { engineFromConfig } from '../../src/server/engine-from-config.ts';
import { turnRelayFromConfig } from '../../src/media/turn/from-config.ts';
import type { RelayPort, TurnRelay } from '../../src/media/turn/turn-relay.ts';
import { testLogger } from '../helpers/test-server.ts';
import { chromiumInNamespace, type TestNamespace } from '../helpers/netns.ts';
import { CHROMIUM_ARGS } from '../browser/browser.ts';

export interface RelayServer extends RunningSabha {
  engine: MediaEngine;
  relay: TurnRelay | undefined;
  config: SabhaConfig;
  port: number;
  /** Where the relay listens for UDP/TCP and TLS (empty when TURN is off). */
  relayPort(transport: RelayPort['transport']): number;
  close(): Promise<void>;
}

/** Sabha on every address (so a namespace reaches it at its veth address), Janus, and TURN unless `turn: false`. */
export async function startRelayServer(options: { turn?: boolean; credentialTtlSeconds?: number } = {}): Promise<RelayServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sabha-turn-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      host: '0.0.0.0', port: 0, tls: 'off', dataDir, whoMayHost: 'anyone',
      turn: { mode: options.turn === false ? 'off' : 'spawn', port: 0, tlsPort: 0, relayPortRange: '46000-46999', credentialTtlSeconds: options.credentialTtlSeconds ?? 600 },
    },
  });
  const engine = await engineFromConfig(config, testLogger);
  await engine.start();
  const relay = await turnRelayFromConfig(config, testLogger);
  try {
    await relay?.start();
  } catch (error) {
    await engine.close();
    throw error;
  }
  const sabha = await startSabha({ config, engine, turn: relay, relay, log: testLogger });
  const port = Number(new URL(sabha.url).port);
  return {
    ...sabha,
    engine,
    relay,
    config,
    port,
    relayPort: (transport) => relay?.relayPorts('127.0.0.1').find((p) => p.transport === transport)?.port ?? 0,
    close: async () => {
      await sabha.close();
      await Promise.allSettled([engine.close(), relay?.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A firewall inside the namespace: nothing in or out but loopback, answers to what went out, and new TCP
 * connections to the host on the given ports. All UDP is dropped, so no direct media path exists.
 */
export function tcpOnlyFirewall(ns: TestNamespace, tcpPorts: number[]): string {
  return `table inet sabha_firewall
delete table inet sabha_firewall
table inet sabha_firewall {
  chain out {
    type filter hook output priority 0; policy drop;
    oifname "lo" accept
    ct state established,related accept
    ip daddr ${ns.hostAddress} tcp dport { ${tcpPorts.join(', ')} } accept
  }
  chain in {
    type filter hook input priority 0; policy drop;
    iifname "lo" accept
    ct state established,related accept
  }
}
`;
}

/** Chromium inside `ns`, allowed to use camera and microphone on Sabha's plain-HTTP address there. */
export function launchInNamespace(ns: TestNamespace, origin: string): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumInNamespace(ns),
    headless: true,
    // Chromium checks a TURN server's certificate (measured: TURN over TLS with Sabha's self-signed certificate
    // fails without this flag); the tests have no certificate a browser trusts.
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origin}`, '--ignore-certificate-errors'],
  });
}

/** Records every RTCPeerConnection the page makes, so the test can ask which candidate pair carries media. */
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const all = [];
  Object.defineProperty(window, '__testPeerConnections', { value: all });
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); all.push(this); }
  };
})();`;

export interface SelectedPath {
  state: string;
  localType: string | null;
  relayProtocol: string | null;
  protocol: string | null;
}

/** For each connected peer connection of the page: the local side of its selected candidate pair. */
export function selectedPaths(page: Page): Promise<SelectedPath[]> {
  return page.evaluate(async () => {
    const out: SelectedPath[] = [];
    for (const pc of (window as unknown as { __testPeerConnections: RTCPeerConnection[] }).__testPeerConnections) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      let pairId: string | undefined;
      report.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
      });
      const pair = pairId ? report.get(pairId) : undefined;
      const local = pair ? report.get(pair.localCandidateId) : undefined;
      out.push({ state: pc.connectionState, localType: local?.candidateType ?? null, relayProtocol: local?.relayProtocol ?? null, protocol: local?.protocol ?? null });
    }
    return out;
  });
}
