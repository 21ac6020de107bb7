/**
 * A three-person encrypted meeting where one person's browser runs in a network namespace whose link the
 * test can degrade (test/helpers/netns.ts), and the two others run on the host as usual.
 *
 * The server listens on the veth's host address only, so the namespace reaches it, and Janus gathers ICE
 * candidates there too (besides the machine's own interface). Every browser uses that one origin, plain HTTP,
 * which Chromium is told to treat as secure (camera and microphone need a secure context).
 */
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumInNamespace, createNamespace, type TestNamespace } from '../helpers/netns.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { CHROMIUM_ARGS, e2ee, inboundFrom, join, newMeetingLinks, openPage, stats, waitFor, type E2eeDebug } from '../browser/browser.ts';
import { lanInterface } from '../../src/server/local-network.ts';

export interface Person {
  name: string;
  page: Page;
  id: string;
}

export interface NetworkMeeting {
  ns: TestNamespace;
  server: TestServer;
  /** Asha (host) and Bilal on the host; Chitra in the namespace. */
  people: [Person, Person, Person];
  faulty: Person;
  close(): Promise<void>;
}

/**
 * Installed in every page: each peer connection's state changes, with the time since the page loaded, in
 * `window.__pcLog`, so that a failing test can say what the media connections did. A string, not a function:
 * the TypeScript loader would wrap a function's inner functions in helpers the page does not have. A Proxy,
 * not a subclass, so the constructor and prototype the page sees stay the browser's own.
 */
const RECORD_PEER_CONNECTION_STATES = `(() => {
  const log = [];
  window.__pcLog = log;
  let count = 0;
  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args, newTarget) {
      const pc = Reflect.construct(target, args, newTarget);
      const id = ++count;
      pc.addEventListener('connectionstatechange', () => log.push((performance.now() / 1000).toFixed(1) + ' s pc' + id + ' ' + pc.connectionState));
      return pc;
    },
  });
})();`;

/** The page's peer-connection state log (see recordPeerConnectionStates), and the page's clock now. */
export function peerConnectionLog(page: Page): Promise<string> {
  return page.evaluate(() => `${(window as unknown as { __pcLog: string[] }).__pcLog.join(', ')} (now ${(performance.now() / 1000).toFixed(1)} s)`);
}

async function openPanel(page: Page, name: 'participants' | 'security'): Promise<void> {
  const panel = name === 'participants' ? 'participants-list' : 'security-panel';
  if (!(await page.getByTestId(panel).isVisible())) await page.getByTestId(`${name}-button`).click();
  await page.getByTestId(panel).waitFor();
}

export async function startNetworkMeeting(label: string): Promise<NetworkMeeting> {
  const ns = await createNamespace(label);
  const browsers: Browser[] = [];
  let server: TestServer | undefined;
  const close = async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await server?.close();
    await ns.remove();
  };
  try {
    const lan = lanInterface();
    server = await startTestServer({
      janus: true,
      overrides: { host: ns.hostAddress, janus: { iceEnforceList: [lan?.name, ns.hostInterface].filter(Boolean).join(',') } },
    });
    const secureOrigin = `--unsafely-treat-insecure-origin-as-secure=${server.url}`;
    const onHost = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, secureOrigin] });
    browsers.push(onHost);
    const inNamespace = await chromium.launch({ executablePath: chromiumInNamespace(ns), headless: true, args: [...CHROMIUM_ARGS, secureOrigin] });
    browsers.push(inNamespace);

    const links = await newMeetingLinks(server, 'Network faults');
    const hostPage = await openPage(onHost, links.hostLink, { init: RECORD_PEER_CONNECTION_STATES });
    await join(hostPage, 'Asha');
    await hostPage.getByTestId('meeting').waitFor({ timeout: 30_000 });
    const host: Person = { name: 'Asha', page: hostPage, id: (await waitFor(() => stats(hostPage), (s) => s.selfId !== null)).selfId! };

    const admit = async (browser: Browser, name: string): Promise<Person> => {
      const page = await openPage(browser, links.participantLink, { init: RECORD_PEER_CONNECTION_STATES });
      await join(page, name);
      await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 30_000 });
      await openPanel(hostPage, 'participants');
      const entry = hostPage.getByTestId('waiting-entry').filter({ hasText: name });
      await entry.waitFor({ timeout: 15_000 });
      const id = (await entry.getAttribute('data-participant-id'))!;
      await hostPage.getByTestId(`admit-${id}`).click();
      await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
      return { name, page, id };
    };
    const bilal = await admit(onHost, 'Bilal');
    const chitra = await admit(inNamespace, 'Chitra');
    return { ns, server, people: [host, bilal, chitra], faulty: chitra, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Everyone is keyed at one epoch, with a group of exactly these people and one security code. */
export async function settledGroup(people: readonly Person[], timeoutMs = 30_000): Promise<E2eeDebug[]> {
  const ids = people.map((p) => p.id).sort();
  const read = () => Promise.all(people.map(async (p) => (await e2ee(p.page))!));
  const agreed = (states: E2eeDebug[]) =>
    states.every(
      (s) => s?.state === 'ready' && s.epoch === states[0]!.epoch && s.securityCode === states[0]!.securityCode && JSON.stringify([...s.members].sort()) === JSON.stringify(ids),
    );
  const states = await waitFor(read, agreed, timeoutMs);
  assert.ok(agreed(states), `everyone is keyed at one epoch with one code and the same group: ${JSON.stringify(states.map((s) => [s?.state, s?.epoch, s?.securityCode, s?.members.length]))}`);
  return states;
}

/** What one viewer decodes of one sender's camera over a window: frames per second and the layer's height. */
export interface Decoding {
  viewer: string;
  sender: string;
  framesPerSecond: number;
  height: number | null;
}

/** The video frames `viewer` decoded of `sender`'s camera so far, and the height of the last. */
export async function videoOf(viewer: Person, sender: Person): Promise<{ frames: number; height: number | null }> {
  const s = await stats(viewer.page);
  const streams = s.streams.filter((x) => x.direction === 'inbound' && x.kind === 'video' && x.source === 'camera' && x.participantId === sender.id);
  return { frames: inboundFrom(s, sender.id).videoFrames, height: streams.find((x) => x.frameHeight)?.frameHeight ?? null };
}

/**
 * Every viewer decodes every other person's camera, frames growing in each of `windows` consecutive windows
 * of `windowMs`; returns the rates over the whole span. Fails naming who stopped decoding whom, and when.
 */
export async function keepsDecoding(people: readonly Person[], windows = 3, windowMs = 4_000): Promise<Decoding[]> {
  const pairs = people.flatMap((viewer) => people.filter((p) => p !== viewer).map((sender) => ({ viewer, sender })));
  const start = await Promise.all(pairs.map((p) => videoOf(p.viewer, p.sender)));
  const startedAt = Date.now();
  let previous = start;
  let last = start;
  for (let w = 0; w < windows; w++) {
    await new Promise((r) => setTimeout(r, windowMs));
    last = await Promise.all(pairs.map((p) => videoOf(p.viewer, p.sender)));
    pairs.forEach((p, i) => {
      assert.ok(
        last[i]!.frames > previous[i]!.frames,
        `${p.viewer.name} decodes ${p.sender.name}'s video in window ${w + 1} of ${windows}: ${previous[i]!.frames} → ${last[i]!.frames} frames`,
      );
    });
    previous = last;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  return pairs.map((p, i) => ({
    viewer: p.viewer.name,
    sender: p.sender.name,
    framesPerSecond: Math.round(((last[i]!.frames - start[i]!.frames) / seconds) * 10) / 10,
    height: last[i]!.height,
  }));
}

/** Each viewer's decoded frames of each sender grow by `by` within the time (a first picture, or a return). */
export async function everyoneDecodesEveryone(people: readonly Person[], by = 30, timeoutMs = 30_000): Promise<void> {
  for (const viewer of people) {
    for (const sender of people) {
      if (sender === viewer) continue;
      const first = await videoOf(viewer, sender);
      const last = await waitFor(() => videoOf(viewer, sender), (v) => v.frames >= first.frames + by, timeoutMs);
      if (last.frames < first.frames + by) {
        // Say why: packets arriving but not decoding points at keys; none at the connections.
        const inbound = (await stats(viewer.page)).streams.filter((x) => x.direction === 'inbound').map((x) => `${x.participantId ?? '?'}/${x.kind}:${x.packets}`);
        assert.fail(
          `${viewer.name} decodes ${sender.name}'s video: ${first.frames} → ${last.frames} frames; inbound packets ${inbound.join(' ')}; ` +
            `${viewer.name}'s peer connections ${await peerConnectionLog(viewer.page)}; ${sender.name}'s ${await peerConnectionLog(sender.page)}`,
        );
      }
    }
  }
}

export function formatDecoding(label: string, rows: readonly Decoding[]): string {
  return `${label}: ${rows.map((r) => `${r.viewer}←${r.sender} ${r.framesPerSecond} fps ${r.height ?? '?'}p`).join(', ')}`;
}
