/**
 * Join time through the TURN relay beside the direct path, in the same run, on the same server: a
 * participant clicks Join (host present, waiting room off) and the time to its first decoded remote video
 * frame is taken, in turn:
 *   - direct: Chromium in the machine's own namespace, reaching Janus on a host candidate (the baseline);
 *   - relay over UDP: Chromium in a network namespace with an open network (measured: Janus does not answer
 *     the direct checks from a namespace's address, so such a browser ends up on the relay over UDP);
 *   - relay over TCP: the same behind a firewall that drops all UDP and lets out only TCP to the relay.
 * Every run's media path is checked, so a figure is never credited to the wrong path.
 */
import type { Browser, Page } from 'playwright-core';
import { createMeeting } from '../test/helpers/meeting-fixture.ts';
import { createNamespace, netnsUnavailable, type TestNamespace } from '../test/helpers/netns.ts';
import { join, launchBrowser, openPage, stats, waitFor } from '../test/browser/browser.ts';
import { launchInNamespace, RECORD_PEER_CONNECTIONS, selectedPaths, startRelayServer, tcpOnlyFirewall, type RelayServer } from '../test/network/turn-fixture.ts';
import { median } from './browser-meeting.ts';

type Path = 'direct' | 'turn-udp' | 'turn-tcp';
const PATHS: Path[] = ['direct', 'turn-udp', 'turn-tcp'];

export async function benchJoinTurn(runsEach = 6): Promise<void> {
  const why = netnsUnavailable();
  if (why) {
    process.stdout.write(`skipped: ${why}\n`);
    return;
  }
  const ns: TestNamespace = await createNamespace('bench-turn');
  let server: RelayServer | undefined;
  const browsers: Browser[] = [];
  try {
    server = await startRelayServer();
    const hostBrowser = await launchBrowser();
    browsers.push(hostBrowser);
    const nsBrowser = await launchInNamespace(ns, `http://${ns.hostAddress}:${server.port}`);
    browsers.push(nsBrowser);
    const { meetingId, passcode, hostSecret } = await createMeeting(`ws://127.0.0.1:${server.port}/ws`, 'Bench TURN');
    const host = await openPage(hostBrowser, `http://127.0.0.1:${server.port}/m/${meetingId}#pc=${passcode}&host=${hostSecret}`);
    await join(host, 'Host');
    await host.getByTestId('meeting').waitFor({ timeout: 30_000 });
    await host.getByTestId('security-button').click();
    await host.getByTestId('setting-waitingRoom').click();
    await waitFor(() => host.getByTestId('setting-waitingRoom').getAttribute('aria-checked'), (v) => v === 'false', 10_000);

    const nsLink = `http://${ns.hostAddress}:${server.port}/m/${meetingId}#pc=${passcode}`;
    const rootLink = `http://127.0.0.1:${server.port}/m/${meetingId}#pc=${passcode}`;
    const times: Record<Path, number[]> = { direct: [], 'turn-udp': [], 'turn-tcp': [] };
    const wrongPath: Record<Path, number> = { direct: 0, 'turn-udp': 0, 'turn-tcp': 0 };
    const expected: Record<Path, string> = { direct: 'host', 'turn-udp': 'relay/udp', 'turn-tcp': 'relay/tcp' };
    for (let i = 0; i < runsEach * PATHS.length; i++) {
      const path = PATHS[i % PATHS.length]!;
      await ns.nft(path === 'turn-tcp' ? tcpOnlyFirewall(ns, [server.port, server.relayPort('tcp')]) : 'flush ruleset\n');
      const context = await (path === 'direct' ? hostBrowser : nsBrowser).newContext({ permissions: ['camera', 'microphone'] });
      await context.addInitScript(RECORD_PEER_CONNECTIONS);
      const page: Page = await context.newPage();
      await page.goto(path === 'direct' ? rootLink : nsLink);
      await page.getByTestId('name-input').fill(`Joiner ${i}`);
      const clickedAt = Date.now();
      await page.getByTestId('join-button').click();
      await waitFor(
        () => stats(page),
        (s) => s.streams.some((x) => x.direction === 'inbound' && x.kind === 'video' && (x.framesDecoded ?? 0) > 0),
        40_000,
        20,
      );
      const ms = Date.now() - clickedAt;
      const paths = (await selectedPaths(page)).filter((p) => p.state === 'connected');
      if (process.env.BENCH_DEBUG) process.stdout.write(`${path} ${ms} ms ${JSON.stringify(paths)}\n`);
      const onPath = paths.length > 0 && paths.every((p) => (p.localType === 'relay' ? `relay/${p.relayProtocol}` : p.localType) === expected[path]);
      if (!onPath) wrongPath[path]++;
      else times[path].push(ms);
      await context.close();
    }
    const line = (label: string, xs: number[]) => `${label} median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs)} ms, max ${Math.max(...xs)} ms (${xs.length} joins)`;
    process.stdout.write(
      `${line('join → first decoded remote frame, direct (baseline)', times.direct)}\n` +
        `${line('join → first decoded remote frame, relay over UDP   ', times['turn-udp'])}\n` +
        `${line('join → first decoded remote frame, relay over TCP   ', times['turn-tcp'])}\n` +
        (Object.values(wrongPath).some((n) => n > 0) ? `runs dropped because the path was not the intended one: ${JSON.stringify(wrongPath)}\n` : ''),
    );
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    await server?.close();
    await ns.remove();
  }
}

if (process.argv[1]?.endsWith('join-turn.ts')) await benchJoinTurn();
