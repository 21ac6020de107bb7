/**
 * A lossy and then a narrow link for one person of a three-person encrypted meeting: everyone keeps decoding
 * everyone's video, the person on the bad link included (NACK, PLI and a lower simulcast layer carry it).
 * The person's Chromium runs in a network namespace: 10 % of packets dropped at random each way (nftables),
 * then the rate capped to 1 Mbit/s and then 300 kbit/s each way (tc tbf). Figures are printed for the record.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.ts';
import { everyoneDecodesEveryone, formatDecoding, keepsDecoding, settledGroup, startNetworkMeeting, type NetworkMeeting } from './network-meeting.ts';

const skip = netnsUnavailable();

describe('a meeting with one person on a bad link', { timeout: 300_000, skip: skip ? `skipped: ${skip}` : false }, () => {
  let meeting: NetworkMeeting;

  before(async () => {
    meeting = await startNetworkMeeting('loss-rate');
  });

  after(async () => {
    await meeting?.close();
  });

  it('starts with three people decoding each other through encryption', async () => {
    await settledGroup(meeting.people);
    await everyoneDecodesEveryone(meeting.people);
    console.log(formatDecoding('clean link', await keepsDecoding(meeting.people, 1, 5_000)));
  });

  it('keeps every video decoding, for the others and for the person on the link, with 10 % packet loss each way', async () => {
    await meeting.ns.setLoss(10);
    await new Promise((r) => setTimeout(r, 3_000)); // let loss recovery settle
    const droppedBefore = await meeting.ns.lossDropped();
    const rows = await keepsDecoding(meeting.people);
    const dropped = (await meeting.ns.lossDropped()) - droppedBefore;
    console.log(`${formatDecoding('10 % loss on Chitra\'s link', rows)}; ${dropped} packets dropped by the loss rules meanwhile`);
    assert.ok(dropped > 100, `the loss was really applied: ${dropped} packets dropped`);
    for (const r of rows) assert.ok(r.framesPerSecond > 0, `${r.viewer} decodes ${r.sender}`);
  });

  it('keeps every video decoding with the link capped to 1 Mbit/s each way', async () => {
    await meeting.ns.setLoss(0);
    await meeting.ns.setRate(1000);
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await meeting.ns.rateStats();
    const startedAt = Date.now();
    const rows = await keepsDecoding(meeting.people);
    const after = await meeting.ns.rateStats();
    const kbps = (bytes: number) => Math.round((bytes * 8) / (Date.now() - startedAt));
    const up = kbps(after.up.bytes - before.up.bytes);
    const down = kbps(after.down.bytes - before.down.bytes);
    const drops = after.up.drops - before.up.drops + after.down.drops - before.down.drops;
    console.log(`${formatDecoding('1 Mbit/s cap on Chitra\'s link', rows)}; through the cap: ${up} kbit/s up, ${down} kbit/s down, ${drops} packets dropped at the queue`);
    assert.ok(after.up.packets > before.up.packets && after.down.packets > before.down.packets, 'the traffic went through the caps');
    assert.ok(up <= 1100 && down <= 1100, `the cap held: ${up} kbit/s up, ${down} kbit/s down`);
    for (const r of rows) assert.ok(r.framesPerSecond > 0, `${r.viewer} decodes ${r.sender}`);
  });

  it('keeps every video decoding, at a lower layer where needed, with the link capped to 300 kbit/s each way', async () => {
    await meeting.ns.setRate(300);
    await new Promise((r) => setTimeout(r, 8_000)); // congestion control and the layer choice need a few samples
    const before = await meeting.ns.rateStats();
    const startedAt = Date.now();
    const rows = await keepsDecoding(meeting.people);
    const after = await meeting.ns.rateStats();
    const kbps = (bytes: number) => Math.round((bytes * 8) / (Date.now() - startedAt));
    const drops = after.up.drops - before.up.drops + after.down.drops - before.down.drops;
    console.log(`${formatDecoding('300 kbit/s cap on Chitra\'s link', rows)}; through the cap: ${kbps(after.up.bytes - before.up.bytes)} kbit/s up, ${kbps(after.down.bytes - before.down.bytes)} kbit/s down, ${drops} packets dropped at the queue`);
    for (const r of rows) assert.ok(r.framesPerSecond > 0, `${r.viewer} decodes ${r.sender}`);
  });

  it('still agrees on one security code with the same three members afterwards', async () => {
    await meeting.ns.clear();
    await settledGroup(meeting.people);
  });
});
