/**
 * Breakout rooms in real browsers through Janus. A host and four participants; the host makes two rooms and
 * puts two people in each. In a room each person decodes only their room-mate (the room is its own MLS group
 * and its own SFU room, and the main meeting's media is paused); an SFU subscriber outside the group sees only
 * SFrame ciphertext of the room's epoch; the host visits a room and sends a message to all rooms; closing
 * brings everyone back after the countdown, into the same main group with the same security code.
 * The steps build on each other, so they run in order on one meeting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RTCPeerConnection } from 'werift';
import { decodeHeader, parseMlsKid, SABHA_EPOCH_BITS } from '../../src/e2ee/sframe/index.ts';
import { MeetingMedia } from '../../src/server/meetings/meeting-media.ts';
import { startServerAndBrowser, stopServerAndBrowser } from '../helpers/browser-suite.ts';
import { joinThroughWaitingRoom, settledGroup, type MeetingPerson as Person } from '../helpers/meeting-page.ts';
import type { TestServer } from '../helpers/test-server.ts';
import { inboundFrom, join, newMeetingLinks, openParticipant, selfId, stats, waitFor, type DebugStats, type E2eeDebug } from './browser.ts';

type BreakoutStats = (DebugStats & { room: number | null }) | null;
const breakoutStats = (page: Page): Promise<BreakoutStats> =>
  page.evaluate(() => (window as unknown as { __sabhaDebug: { breakoutStats(): Promise<BreakoutStats> } }).__sabhaDebug.breakoutStats());
const breakoutE2ee = (page: Page): Promise<E2eeDebug | null> =>
  page.evaluate(() => (window as unknown as { __sabhaDebug: { breakoutE2ee(): E2eeDebug | null } }).__sabhaDebug.breakoutE2ee());

/** Video frames decoded from each sender, by participant id, in the breakout room's Room. */
function framesBySender(s: BreakoutStats): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of s?.streams ?? []) if (x.direction === 'inbound' && x.kind === 'video' && x.participantId) out.set(x.participantId, (out.get(x.participantId) ?? 0) + (x.framesDecoded ?? 0));
  return out;
}

/** Everyone in `people` is in breakout room `room`, keyed in one group of exactly them; returns each one's id there. */
async function inRoom(people: readonly Person[], room: number): Promise<string[]> {
  const states = await waitFor(
    () => Promise.all(people.map(async (p) => ({ stats: await breakoutStats(p.page), e2ee: await breakoutE2ee(p.page) }))),
    (all) => all.every((s) => s.stats?.room === room && s.stats.connection === 'joined' && s.e2ee?.state === 'ready' && s.e2ee.members.length === people.length && s.e2ee.epoch === all[0]!.e2ee?.epoch),
    40_000,
  );
  const summary = JSON.stringify(states.map((s) => [s.stats?.room, s.stats?.connection, s.e2ee?.state, s.e2ee?.members.length, s.e2ee?.epoch]));
  assert.ok(states.every((s) => s.stats?.room === room && s.e2ee?.state === 'ready' && s.e2ee.members.length === people.length), `${people.map((p) => p.name).join(', ')} are keyed together in room ${room}: ${summary}`);
  const codes = new Set(states.map((s) => s.e2ee!.securityCode));
  assert.equal(codes.size, 1, 'one security code in the room');
  return states.map((s) => s.stats!.selfId!);
}

/** `viewer` decodes `senderId`'s video in its breakout room, growing now, and decodes nobody else's. */
async function decodesOnly(viewer: Person, senderIds: readonly string[]): Promise<void> {
  const first = framesBySender(await breakoutStats(viewer.page));
  const last = framesBySender(await waitFor(() => breakoutStats(viewer.page), (s) => senderIds.every((id) => (framesBySender(s).get(id) ?? 0) >= (first.get(id) ?? 0) + 30), 25_000));
  for (const id of senderIds) assert.ok((last.get(id) ?? 0) >= (first.get(id) ?? 0) + 30, `${viewer.name} decodes ${id} in the room (${first.get(id) ?? 0} → ${last.get(id) ?? 0})`);
  const senders = new Set((await breakoutStats(viewer.page))?.streams.filter((x) => x.direction === 'inbound').map((x) => x.participantId));
  assert.deepEqual([...senders].filter((id) => id !== null && !senderIds.includes(id)), [], `${viewer.name} receives no audio or video from anyone outside the room`);
  // The main meeting's media is paused: nothing of it is decoded meanwhile.
  const main = (await stats(viewer.page)).streams.filter((x) => x.direction === 'inbound');
  assert.deepEqual(main, [], `${viewer.name} receives no media of the main room while in a breakout room`);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it is now (injected through the driver: the page's CSP allows no script). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.mouse.move(0, 0); // no button is hovered (a hovered button's colours are not its own)
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')} ${v.nodes[0]?.failureSummary ?? ''}`);
  });
}

/** RFC 7741: where the VP8 payload starts, and whether a frame starts in this packet. */
function vp8Descriptor(payload: Uint8Array): { offset: number; frameStart: boolean } {
  let offset = 1;
  const first = payload[0]!;
  if (first & 0x80) {
    const ext = payload[offset++]!;
    if (ext & 0x80) offset += payload[offset]! & 0x80 ? 2 : 1;
    if (ext & 0x40) offset += 1;
    if (ext & 0x30) offset += 1;
  }
  return { offset, frameStart: (first & 0x10) !== 0 && (first & 0x07) === 0 };
}

describe('breakout rooms in real browsers', { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let meetingId = '';
  let host: Person;
  const people: Person[] = [];
  let mainCode = '';
  let roomIds: string[][] = [];

  before(async () => {
    ({ server, browser } = await startServerAndBrowser());
    const links = await newMeetingLinks(server, 'Class');
    meetingId = links.meetingId;
    const { page } = await openParticipant(browser, links.hostLink);
    await join(page, 'Asha');
    await page.getByTestId('meeting').waitFor({ timeout: 30_000 });
    host = { name: 'Asha', page, id: await selfId(page) };
    for (const name of ['Bilal', 'Chitra', 'Dev', 'Esha']) {
      const { page: guest } = await openParticipant(browser, links.participantLink);
      people.push(await joinThroughWaitingRoom(host.page, guest, name));
    }
    await host.page.getByTestId('mic-button').click();
    mainCode = (await settledGroup([host, ...people]))[0]!.securityCode!;
    await host.page.keyboard.press('Escape');
  });

  after(() => stopServerAndBrowser(server, browser));

  it('puts two people in each of two rooms, where each decodes only their room-mate', async (t) => {
    const page = host.page;
    await page.getByTestId('breakout-button').click();
    await page.getByTestId('breakout-count').fill('2');
    await page.getByTestId('breakout-create').click();
    for (const [i, p] of people.entries()) {
      const select = page.getByTestId(`breakout-assign-${p.id}`);
      await select.waitFor();
      await select.selectOption(String(i < 2 ? 0 : 1));
      await waitFor(() => select.inputValue(), (v) => v === String(i < 2 ? 0 : 1), 5000);
    }
    const opened = Date.now();
    await page.getByTestId('breakout-open').click();
    await page.getByTestId('breakout-visit-1').waitFor();
    roomIds = [await inRoom(people.slice(0, 2), 0), await inRoom(people.slice(2), 1)];
    t.diagnostic(`from "Open rooms" to all four keyed in their rooms' groups: ${((Date.now() - opened) / 1000).toFixed(1)} s`);
    for (const p of people) await p.page.getByTestId('breakout-stage').waitFor();
    const [red, blue] = roomIds as [string[], string[]];
    await decodesOnly(people[0]!, [red[1]!]);
    await decodesOnly(people[1]!, [red[0]!]);
    await decodesOnly(people[2]!, [blue[1]!]);
    await decodesOnly(people[3]!, [blue[0]!]);
    // The host stayed in the main room, which is now empty of media.
    assert.equal(await breakoutStats(page), null);
    assert.deepEqual(await axeViolations(page), [], 'the host’s breakout panel passes axe-core');
  });

  it('keeps a room’s chat within the room', async () => {
    const [bilal, chitra, dev] = people as [Person, Person, Person];
    await bilal.page.getByTestId('breakout-chat-button').click();
    await bilal.page.getByTestId('breakout-chat-input').fill('Red room only');
    await bilal.page.getByTestId('breakout-chat-send').click();
    await chitra.page.getByTestId('breakout-chat-button').click();
    await chitra.page.getByTestId('breakout-stage').getByText('Red room only').waitFor({ timeout: 10_000 });
    await dev.page.getByTestId('breakout-chat-button').click();
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of [dev, host]) assert.equal(await p.page.getByText('Red room only').count(), 0, `${p.name} never sees room 0's chat`);
    assert.deepEqual(await axeViolations(chitra.page), [], 'a breakout room’s stage with its chat passes axe-core');
  });

  it('shows an SFU subscriber outside a room’s group only SFrame ciphertext of that room’s epoch', async () => {
    const meeting = server.registry.find(meetingId);
    const roomId = meeting?.breakout.roomIdOf(0);
    const child = roomId ? meeting?.breakout.room(roomId) : undefined;
    const media = child?.media.mediaRoomForTests();
    assert.ok(child && media, 'the room has its own SFU room');
    assert.notEqual(media, meeting!.media.mediaRoomForTests(), 'not the main meeting’s SFU room');
    const epoch = (await breakoutE2ee(people[0]!.page))!.epoch!;
    const subscriber = await media.createSubscriber();
    const captured: { kind: string; payload: Uint8Array }[] = [];
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    try {
      pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => void (captured.length < 3000 && captured.push({ kind: track.kind, payload: new Uint8Array(rtp.payload) }))));
      const update = await subscriber.setStreams(
        roomIds[0]!.flatMap((id) => [
          { publisherId: MeetingMedia.publicationId(id, 'camera'), kind: 'audio' as const },
          { publisherId: MeetingMedia.publicationId(id, 'camera'), kind: 'video' as const, layer: 0 as const },
        ]),
        () => {},
      );
      assert.ok(update, 'the SFU offers the room’s tracks');
      await pc.setRemoteDescription({ type: 'offer', sdp: update.offerSdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((resolve) => (pc.iceGatheringState === 'complete' ? resolve() : pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve())));
      await subscriber.answer(pc.localDescription!.sdp);
      await waitFor(async () => captured.filter((c) => c.kind === 'video').length, (n) => n >= 150, 20_000, 200);
    } finally {
      await subscriber.close();
      await pc.close();
    }
    const check = (bytes: Uint8Array, what: string) => {
      const kid = parseMlsKid(decodeHeader(bytes).kid, SABHA_EPOCH_BITS);
      assert.equal(kid.epochLow, BigInt(epoch & 0xff), `${what}: sealed under the room's epoch`);
      assert.ok(kid.senderIndex < 2n, `${what}: by one of the room's two members`);
    };
    let frames = 0;
    for (const c of captured) {
      if (c.kind === 'audio') {
        check(c.payload, 'an Opus packet');
        continue;
      }
      const { offset, frameStart } = vp8Descriptor(c.payload);
      if (!frameStart) continue;
      const frame = c.payload.subarray(offset);
      check(frame.subarray((frame[0]! & 0x01) === 0 ? 10 : 3), 'a VP8 frame');
      frames++;
    }
    assert.ok(frames >= 10, `VP8 frames were inspected (${frames})`);
  });

  it('lets the host send a message to every room, and visit one', async () => {
    const page = host.page;
    await page.getByTestId('breakout-broadcast-text').fill('Five minutes left');
    await page.getByTestId('breakout-broadcast-send').click();
    for (const p of people) await p.page.getByText('Five minutes left').first().waitFor({ timeout: 10_000 });
    await page.getByTestId('breakout-visit-1').click();
    await page.getByTestId('breakout-dialog-close').click();
    const ids = await inRoom([people[2]!, people[3]!, host], 1);
    await decodesOnly(host, ids.slice(0, 2));
    assert.deepEqual(framesBySender(await breakoutStats(people[0]!.page)).has(ids[2]!), false, 'the visit is seen in room 1 only');
    await page.getByTestId('breakout-back').click();
    await waitFor(() => breakoutStats(page), (s) => s === null, 15_000);
  });

  it('closes every room after a countdown shown to everyone, back in the main group with the same security code', async (t) => {
    const page = host.page;
    await page.getByTestId('breakout-button').click();
    await page.getByTestId('breakout-close').click();
    await page.getByTestId('breakout-dialog-close').click();
    for (const p of people) {
      const text = await p.page.getByTestId('breakout-countdown').textContent({ timeout: 10_000 });
      assert.match(text ?? '', /\d+/, `${p.name} sees the countdown`);
    }
    for (const p of people) await waitFor(() => breakoutStats(p.page), (s) => s === null, 45_000);
    for (const p of people) assert.equal(await breakoutStats(p.page), null, `${p.name} is back in the main room`);
    const back = Date.now();
    const states = await settledGroup([host, ...people]);
    assert.deepEqual(states.map((s) => s.securityCode), states.map(() => mainCode), 'the main group is the one everyone left: same members, same code');
    // Media of the main room flows again: the host decodes everyone, and everyone the host.
    for (const p of people) {
      const heard = await waitFor(async () => inboundFrom(await stats(p.page), host.id).videoFrames, (n) => n > 30, 25_000);
      assert.ok(heard > 30, `${p.name} decodes the host again (${heard} frames)`);
      const seen = await waitFor(async () => inboundFrom(await stats(page), p.id).videoFrames, (n) => n > 30, 25_000);
      assert.ok(seen > 30, `the host decodes ${p.name} again (${seen} frames)`);
    }
    t.diagnostic(`from everyone back in the main room to the host and all four decoding each other again: ${((Date.now() - back) / 1000).toFixed(1)} s`);
  });
});
