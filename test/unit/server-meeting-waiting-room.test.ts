import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Meeting } from '../../src/server/meetings/meeting.ts';
import type { MessageSink, Participant } from '../../src/server/meetings/participant.ts';
import {
  MAX_BATCH,
  MAX_FRAME_BYTES,
  MAX_MEETING_HOSTS,
  MAX_WAITING_ENTRIES_PER_MESSAGE,
  encodeMessage,
  serverMessage,
  type ServerMessage,
  type WaitingEntry,
} from '../../src/protocol/index.ts';
import { FakeEngine } from '../helpers/fake-engine.ts';
import { deviceId as device, Inbox, newMeeting as newUnitMeeting } from '../helpers/meeting-unit.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { hostMeeting, enterWaitingRoom } from '../helpers/meeting-fixture.ts';
import { errorCode } from '../helpers/ws-client.ts';
import { waitForWaitingList } from '../helpers/waiting-room.ts';

/** A KeyPackage as the server sees one: opaque base64; `size` characters, distinct per seed. */
const keyPackage = (seed: number, size = 400) => Buffer.from(`kp-${seed}-`.padEnd(Math.floor((size * 3) / 4), 'k')).toString('base64');

function newMeeting(maxParticipants = 100, engine = new FakeEngine(), title = 'Waiting room') {
  return newUnitMeeting({ title, engine, limits: { maxParticipants } });
}

function hostIn(meeting: Meeting) {
  const inbox = new Inbox();
  return { inbox, p: meeting.enter({ name: 'Host', deviceId: device(), address: 'a', asHost: true }, inbox) };
}

function waitIn(meeting: Meeting, name = 'Guest') {
  const inbox = new Inbox();
  return { inbox, p: meeting.enter({ name, deviceId: device(), address: 'b', asHost: false }, inbox) };
}

const ids = (people: { p: Participant }[]) => people.map((x) => x.p.id);

describe('the waiting room as hosts see it', () => {
  it('sends a host the whole waiting room once, in its snapshot, and afterwards only what changed', () => {
    const meeting = newMeeting();
    const host = hostIn(meeting);
    assert.deepEqual(host.inbox.of('waiting-room').map((m) => m.entries), [[]], 'the snapshot: nobody waits');
    const [a, b, c] = [waitIn(meeting, 'A'), waitIn(meeting, 'B'), waitIn(meeting, 'C')];
    meeting.setKeyPackage(a.p, keyPackage(1));
    meeting.setKeyPackage(b.p, keyPackage(2));
    meeting.leave(c.p);
    assert.equal(host.inbox.of('waiting-room').length, 1, 'no second whole list');
    assert.deepEqual(
      host.inbox.of('waiting-room-changed').map(({ added, updated, removed }) => ({ added: added?.map((e) => e.name), updated: updated?.map((e) => e.name), removed })),
      [
        { added: ['A'], updated: undefined, removed: undefined },
        { added: ['B'], updated: undefined, removed: undefined },
        { added: ['C'], updated: undefined, removed: undefined },
        { added: undefined, updated: ['A'], removed: undefined },
        { added: undefined, updated: ['B'], removed: undefined },
        { added: undefined, updated: undefined, removed: [c.p.id] },
      ],
    );
    assert.deepEqual(host.inbox.waiting(), [
      { participantId: a.p.id, name: 'A', keyPackage: keyPackage(1) },
      { participantId: b.p.id, name: 'B', keyPackage: keyPackage(2) },
    ]);

    // A co-host arriving now gets the list as it is, in one snapshot, and then the same changes as the host.
    const cohost = hostIn(meeting);
    assert.deepEqual(cohost.inbox.waiting(), host.inbox.waiting());
    meeting.admit(host.p, [a.p.id], undefined);
    meeting.deny(host.p, [b.p.id]);
    for (const inbox of [host.inbox, cohost.inbox]) {
      assert.deepEqual(inbox.waiting(), []);
      assert.deepEqual(inbox.of('waiting-room-changed').slice(-2).map((m) => m.removed), [[a.p.id], [b.p.id]]);
    }
    assert.deepEqual(a.inbox.of('waiting-room'), [], 'a participant never hears of the waiting room');
    meeting.end();
  });

  it('tells each host each KeyPackage exactly once, however many people wait', () => {
    const meeting = newMeeting();
    const host = hostIn(meeting);
    const cohost = hostIn(meeting);
    const waiting = Array.from({ length: 30 }, (_, i) => waitIn(meeting, `P${i}`));
    waiting.forEach((w, i) => meeting.setKeyPackage(w.p, keyPackage(i)));
    // The same KeyPackage sent again changes nothing and goes nowhere.
    waiting.forEach((w, i) => meeting.setKeyPackage(w.p, keyPackage(i)));
    for (const inbox of [host.inbox, cohost.inbox]) {
      const everything = JSON.stringify(inbox.messages);
      waiting.forEach((_, i) => assert.equal(everything.split(keyPackage(i)).length - 1, 1, `KeyPackage ${i} reached a host once`));
      assert.equal(inbox.waiting().length, 30);
    }
    // Denying them all is one change naming all 30, not 30 lists.
    const before = host.inbox.messages.length;
    meeting.deny(host.p, ids(waiting));
    assert.deepEqual(host.inbox.messages.slice(before).map((m) => m.type === 'waiting-room-changed' && m.removed?.length), [30]);
    assert.deepEqual(host.inbox.waiting(), []);
    meeting.end();
  });

  it('lists people who came before the host only when the host arrives, KeyPackage included', () => {
    const meeting = newMeeting();
    const early = waitIn(meeting, 'Early');
    meeting.setKeyPackage(early.p, keyPackage(7));
    const host = hostIn(meeting);
    assert.deepEqual(host.inbox.waiting(), [{ participantId: early.p.id, name: 'Early', keyPackage: keyPackage(7) }]);
    assert.deepEqual(host.inbox.of('waiting-room-changed').map((m) => m.added?.length), [1]);
    meeting.end();
  });

  it('pages a long waiting room: the snapshot and every change stay under the frame cap', () => {
    const meeting = newMeeting(300);
    const host = hostIn(meeting);
    // KeyPackages at the protocol's largest (8 KiB of bytes), names at the longest text they can make (3 bytes of UTF-8 per unit).
    const waiting = Array.from({ length: 250 }, () => waitIn(meeting, '\u20ac'.repeat(64)));
    waiting.forEach((w, i) => meeting.setKeyPackage(w.p, keyPackage(i, Math.ceil((8 * 1024) / 3) * 4)));
    const cohost = hostIn(meeting); // the Inbox checks every message's size and schema
    const snapshot = cohost.inbox.messages.filter((m) => m.type === 'waiting-room' || m.type === 'waiting-room-changed');
    assert.equal(snapshot.length, Math.ceil(250 / MAX_WAITING_ENTRIES_PER_MESSAGE));
    assert.equal(snapshot[0]!.type, 'waiting-room');
    assert.deepEqual(ids(waiting), cohost.inbox.waiting().map((e) => e.participantId), 'the whole list, in arrival order');
    assert.ok(cohost.inbox.waiting().every((e) => e.keyPackage !== undefined));

    // Turning the waiting room off admits all 250: hosts are told in pages of at most MAX_BATCH ids.
    const before = host.inbox.messages.length;
    meeting.updateSettings(host.p, { waitingRoom: false });
    const removals = host.inbox.messages.slice(before).filter((m) => m.type === 'waiting-room-changed');
    assert.deepEqual(removals.map((m) => m.removed?.length), [MAX_BATCH, MAX_BATCH, 50]);
    assert.deepEqual(host.inbox.waiting(), []);
    meeting.end();
  });

  it('caps a meeting at 100 people besides its hosts and co-hosts, waiting room included', () => {
    const meeting = newMeeting(100);
    const host = hostIn(meeting);
    const people = Array.from({ length: 100 }, (_, i) => waitIn(meeting, `P${i}`));
    assert.throws(() => waitIn(meeting, 'One too many'), /full/);
    meeting.admit(host.p, ids(people.slice(0, 100)), undefined);
    assert.equal(meeting.joined.length, 101, 'the host and 100 others');
    assert.throws(() => waitIn(meeting, 'One too many'), /full/);
    // Hosts arriving by the host link are never counted, up to MAX_MEETING_HOSTS of them.
    for (let i = 1; i < MAX_MEETING_HOSTS; i++) hostIn(meeting);
    assert.throws(() => hostIn(meeting), /full/);
    // A participant made co-host does not make room past MAX_MEETING_HOSTS either.
    assert.throws(() => meeting.setRole(host.p, people[0]!.p.id, 'cohost'), /co-hosts/);
    meeting.end();
  });

  it('frees a participant place when a participant is made co-host', () => {
    const meeting = newMeeting(2);
    const host = hostIn(meeting);
    const [a] = [waitIn(meeting, 'A'), waitIn(meeting, 'B')];
    assert.throws(() => waitIn(meeting, 'C'), /full/);
    meeting.admit(host.p, [a.p.id], undefined);
    meeting.setRole(host.p, a.p.id, 'cohost');
    const c = waitIn(meeting, 'C');
    assert.equal(c.p.state, 'waiting-room');
    meeting.end();
  });
});

describe('the bounds of waiting-room messages', () => {
  it('fits a waiting-room change as large as the schema allows in one frame', () => {
    const entry = (i: number): WaitingEntry => ({
      participantId: i.toString(16).padStart(16, '0'),
      name: '\u20ac'.repeat(64),
      keyPackage: 'A'.repeat(Math.ceil((8 * 1024) / 3) * 4),
    });
    const largest: ServerMessage = {
      type: 'waiting-room-changed',
      added: Array.from({ length: MAX_WAITING_ENTRIES_PER_MESSAGE }, (_, i) => entry(i)),
      updated: Array.from({ length: MAX_WAITING_ENTRIES_PER_MESSAGE }, (_, i) => entry(i + 1000)),
      removed: Array.from({ length: MAX_BATCH }, (_, i) => entry(i + 2000).participantId),
    };
    assert.ok(serverMessage.safeParse(largest).success, 'the schema accepts it');
    const bytes = Buffer.byteLength(encodeMessage(largest));
    assert.ok(bytes < MAX_FRAME_BYTES, `${bytes} bytes`);
    const tooLong = { ...largest, added: [...(largest.type === 'waiting-room-changed' ? largest.added! : []), entry(5000)] };
    assert.equal(serverMessage.safeParse(tooLong).success, false, 'one entry more is refused');
  });
});

describe('the joined snapshot of the largest meeting', () => {
  it('stays under the frame cap with 1000 participants and 20 hosts, all with the longest names and both publications', async () => {
    const engine = new FakeEngine();
    await engine.start();
    // The longest name text the typed-text rule allows: a character of 3 UTF-8 bytes per UTF-16 unit (lone
    // surrogates, 6 bytes of JSON each as \ud800, and control characters are refused).
    const longest = '\u20ac'.repeat(64);
    const meeting = newMeeting(1000, engine, '\u20ac'.repeat(120));
    /** Counts without keeping: a thousand joins send about a million roster changes. */
    const quiet: MessageSink = { send() {}, close() {} };
    const host = meeting.enter({ name: longest, deviceId: device(), address: 'a', asHost: true }, quiet);
    meeting.updateSettings(host, { waitingRoom: false, screenShare: 'everyone' });
    const everyone = [host];
    for (let i = 1; i < MAX_MEETING_HOSTS; i++) everyone.push(meeting.enter({ name: longest, deviceId: device(), address: 'a', asHost: true }, quiet));
    for (let i = 0; i < 1000; i++) everyone.push(meeting.enter({ name: longest, deviceId: device(), address: 'b', asHost: false }, quiet));
    assert.equal(meeting.joined.length, 1020);
    for (const p of everyone) {
      await meeting.publish(p, 'camera', 'v=0 offer');
      await meeting.publish(p, 'screen', 'v=0 offer');
    }
    // The largest settings too: a list of named screen sharers as long as a message may name.
    meeting.updateSettings(host, { screenShareAllowed: everyone.slice(-MAX_BATCH).map((p) => p.id) });

    const inbox = new Inbox(); // checks the schema and the frame cap
    const last = everyone.at(-1)!;
    meeting.resume(last, inbox);
    const joined = inbox.of('joined')[0]!;
    assert.equal(joined.participants.length, 1020);
    assert.equal(joined.publications.length, 2040);
    // The media engine may name publications with up to 40 characters (the schema's limit): count them so.
    const longestIds = { ...joined, publications: joined.publications.map((pub) => ({ ...pub, id: pub.id.padEnd(40, 'x') })) };
    const bytes = Buffer.byteLength(encodeMessage(longestIds));
    console.log(`joined snapshot at 1020 people, longest names and ids: ${bytes} bytes (cap ${MAX_FRAME_BYTES})`);
    assert.ok(bytes < MAX_FRAME_BYTES, `${bytes} bytes`);
    meeting.end();
    await engine.close();
  });
});

describe('admission over the signalling protocol', () => {
  let server: TestServer;
  before(async () => (server = await startTestServer({ overrides: { limits: { maxParticipantsPerMeeting: 150, maxConnectionsPerAddress: 200 } } })));
  after(() => server.close());

  it('admits 150 waiting people in batches of at most 100, and refuses a larger batch', async () => {
    const m = await hostMeeting(server.wsUrl);
    const waiting = [];
    for (let i = 0; i < 150; i++) waiting.push(await enterWaitingRoom(server.wsUrl, m, `P${i}`));
    await waitForWaitingList(m.host, (list) => list.length === 150);
    const all = waiting.map((w) => w.participantId);
    assert.equal(errorCode(await m.host.request({ type: 'admit', participantIds: all.slice(0, MAX_BATCH + 1) })), 'bad-message');
    const joined = waiting.map((w) => w.client.nextOf('joined'));
    for (let start = 0; start < all.length; start += MAX_BATCH) {
      assert.equal((await m.host.request({ type: 'admit', participantIds: all.slice(start, start + MAX_BATCH) })).type, 'ok');
    }
    assert.equal((await Promise.all(joined)).length, 150);
    assert.deepEqual(await waitForWaitingList(m.host, (list) => list.length === 0), []);
    assert.equal(m.host.countOf('waiting-room'), 1, 'the whole list went to the host once');
    for (const w of waiting) w.client.close();
    m.host.close();
  });
});
