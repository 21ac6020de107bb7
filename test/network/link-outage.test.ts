/**
 * A person whose network vanishes for 20 s (their link goes down, as a laptop dropping off Wi-Fi) comes back
 * into the same meeting by themselves: the same participant, never through the waiting room, decoding
 * everyone again and decoded by everyone, with one security code for all. Their Chromium runs in a network
 * namespace; the two others are on the host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.ts';
import { stats, waitFor } from '../browser/browser.ts';
import { everyoneDecodesEveryone, peerConnectionLog, settledGroup, videoOf, startNetworkMeeting, type NetworkMeeting } from './network-meeting.ts';

const skip = netnsUnavailable();
const OUTAGE_MS = 20_000;

describe('a person whose network vanishes for 20 s', { timeout: 300_000, skip: skip ? `skipped: ${skip}` : false }, () => {
  let meeting: NetworkMeeting;

  before(async () => {
    meeting = await startNetworkMeeting('outage');
  });

  after(async () => {
    await meeting?.close();
  });

  it('comes back into the same meeting by themselves, decoding everyone, with one security code for all', async () => {
    const { people, faulty, ns } = meeting;
    const [host] = people;
    const before = await settledGroup(people);
    await everyoneDecodesEveryone(people);

    // The person's connection states as they change, for the record and for a failure's explanation.
    const timeline: string[] = [];
    const started = Date.now();
    let upAt = 0;
    let watching = true;
    const watch = (async () => {
      let last = '';
      while (watching) {
        const state = await stats(faulty.page).then((s) => s.connection, () => 'unreadable');
        if (state !== last) timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${(last = state)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    try {
      await ns.setLinkUp(false);
      // While away, the others keep decoding each other.
      await everyoneDecodesEveryone(people.filter((p) => p !== faulty), 30, 15_000);
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - started))));
      await ns.setLinkUp(true);
      upAt = Date.now();
      // When the host decodes them again: frames growing on three reads in a row (a republished camera arrives
      // on a new stream whose count starts from zero, so growth is what counts, not the total).
      const hostSeesThemAgain = (async () => {
        let previous = (await videoOf(host, faulty)).frames;
        for (let growing = 0; watching && Date.now() - upAt < 60_000; ) {
          await new Promise((r) => setTimeout(r, 100));
          const now = (await videoOf(host, faulty)).frames;
          growing = now > previous ? growing + 1 : 0;
          previous = now;
          if (growing === 3) return Date.now() - upAt;
        }
        return NaN;
      })().catch(() => NaN);

      // Back by themselves, as the same participant. Whether the signalling socket died with the network depends
      // on where the server's heartbeat was; either way they must end up joined as themselves with media flowing.
      const back = await waitFor(() => stats(faulty.page), (s) => s.connection === 'joined' && s.selfId === faulty.id, 40_000);
      assert.equal(back.selfId, faulty.id, 'the same participant id after the outage');
      assert.equal(back.connection, 'joined');
      assert.equal(await faulty.page.getByTestId('waiting-waiting-room').count(), 0, 'never sent to the waiting room');
      assert.equal(await faulty.page.getByTestId('meeting-ended').count(), 0, 'the meeting did not end for them');

      await everyoneDecodesEveryone(people, 30, 40_000);
      const after = await settledGroup(people);
      assert.deepEqual([...after[0]!.members].sort(), [...before[0]!.members].sort(), 'the same three members in the group');
      const seconds = (ms: number) => (ms / 1000).toFixed(1);
      console.log(
        `${host.name} decoded ${faulty.name} again ${seconds(await hostSeesThemAgain)} s after the link came up; everyone decoded everyone ` +
          `within ${seconds(Date.now() - upAt)} s (checked one pair after another); security code ${before[0]!.securityCode === after[0]!.securityCode ? 'unchanged' : 'changed'}`,
      );
    } finally {
      watching = false;
      await watch;
      await ns.setLinkUp(true).catch(() => undefined);
      for (const p of people) console.log(`${p.name}'s peer connections: ${await peerConnectionLog(p.page).catch(() => 'unreadable')}`);
      console.log(`${faulty.name}'s connection: ${timeline.join(', ')} (link down at 0 s, up at ${upAt ? ((upAt - started) / 1000).toFixed(1) : '?'} s)`);
    }
  });
});
