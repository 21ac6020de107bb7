/**
 * One real Chromium joins the scale benchmark's largest meeting through the waiting room and shows it in
 * grid view (25 tiles a page): the time from the host's admit to its first decoded remote frame, how many
 * of the meeting's videos it receives and decodes against the tiles it draws, its downlink, and the CPU of
 * all its processes. Part of `npm run bench -- --only scale`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SyntheticParticipant } from '../test/helpers/synthetic/index.ts';
import { e2ee, join, launchBrowser, openParticipant, stats, waitFor, type DebugStats } from '../test/browser/browser.ts';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const SAMPLE_SECONDS = 8;

export interface BrowserFigures {
  admitToFirstFrameMs: number;
  /** From the host's admit: joined, E2EE keys, first inbound video packet, first decoded frame (seconds). */
  timeline: string;
  tilesShown: number;
  videosReceiving: number;
  videosDecoding: number;
  subscriberMlines: number;
  downlinkMbps: number;
  chromiumCores: number;
}

/** CPU seconds of every Chromium process right now. */
function chromiumCpuSeconds(): number {
  let total = 0;
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-f', '/usr/lib/chromium/chromium']).toString().trim().split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

const inboundVideo = (s: DebugStats) => s.streams.filter((x) => x.direction === 'inbound' && x.kind === 'video');
const inboundBytes = (s: DebugStats) => s.streams.filter((x) => x.direction === 'inbound').reduce((n, x) => n + x.bytes, 0);

export async function browserInMeeting(options: { wsUrl: string; meetingId: string; passcode: string; host: SyntheticParticipant }): Promise<BrowserFigures> {
  const base = options.wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
  const browser = await launchBrowser();
  try {
    const { page } = await openParticipant(browser, `${base}/m/${options.meetingId}#pc=${options.passcode}`);
    await join(page, 'Chromium');
    await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 60_000 });
    const host = options.host;
    const waiting = () => [...host.waitingRoom.values()].find((e) => e.name === 'Chromium' && e.keyPackage !== undefined);
    await waitFor(async () => waiting(), (e) => e !== undefined, 60_000, 50);
    const entry = waiting();
    if (!entry) throw new Error('the browser never reached the waiting room with a KeyPackage');
    const admittedAt = Date.now();
    await host.admit([entry.participantId]);
    // The synthetic host makes the commit in the load generator's busy main thread: this shows how long that took.
    const marks: Record<string, number> = { 'host admit answered': (Date.now() - admittedAt) / 1000 };
    const mark = (name: string, reached: boolean) => {
      if (reached && marks[name] === undefined) marks[name] = (Date.now() - admittedAt) / 1000;
    };
    const first = await waitFor(
      async () => {
        const s = await stats(page);
        mark('joined', s.connection === 'joined');
        mark('keys', (await e2ee(page))?.state === 'ready');
        mark('first video packet', inboundVideo(s).some((x) => x.packets > 0));
        mark('first decoded frame', inboundVideo(s).some((x) => (x.framesDecoded ?? 0) > 0));
        return s;
      },
      (s) => inboundVideo(s).some((x) => (x.framesDecoded ?? 0) > 0),
      60_000,
      50,
    );
    const admitToFirstFrameMs = Date.now() - admittedAt;
    if (!inboundVideo(first).some((x) => (x.framesDecoded ?? 0) > 0)) throw new Error('the browser decoded no remote video');
    const timeline = Object.entries(marks).map(([name, t]) => `${name} ${t.toFixed(2)} s`).join(', ');

    await new Promise((r) => setTimeout(r, 5_000)); // the first page's videos settle in
    const a = await stats(page);
    const cpu0 = chromiumCpuSeconds();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SAMPLE_SECONDS * 1000));
    const b = await stats(page);
    const seconds = (Date.now() - t0) / 1000;
    const chromiumCores = (chromiumCpuSeconds() - cpu0) / seconds;
    const before = new Map(inboundVideo(a).map((x) => [x.mid, x]));
    let videosReceiving = 0;
    let videosDecoding = 0;
    for (const x of inboundVideo(b)) {
      const prev = before.get(x.mid);
      if (x.packets > (prev?.packets ?? 0) + 5) videosReceiving++;
      if ((x.framesDecoded ?? 0) > (prev?.framesDecoded ?? 0) + 5) videosDecoding++;
    }
    const self = b.selfId;
    const tilesShown = await page.locator('[data-testid="tile"]').evaluateAll(
      (els, me) => els.filter((el) => (el as HTMLElement).dataset.participantId !== me).length,
      self,
    );
    return {
      admitToFirstFrameMs,
      timeline,
      tilesShown,
      videosReceiving,
      videosDecoding,
      subscriberMlines: b.streams.filter((x) => x.pc === 'subscriber').length,
      downlinkMbps: ((inboundBytes(b) - inboundBytes(a)) * 8) / seconds / 1e6,
      chromiumCores,
    };
  } finally {
    await browser.close();
  }
}
