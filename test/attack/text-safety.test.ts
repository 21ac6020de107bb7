/**
 * Text a person types and others see, sent raw by an attacker: every field (chat text, the title of a new
 * meeting, the name on join and on rename) with every character class the typed-text rule refuses (bidi
 * overrides, embeddings and isolates, C0 and C1 controls, separators, lone surrogates, and a line feed where
 * only one line is allowed). Each is refused with `bad-message`, nothing reaches anyone else, and the same
 * connection and the meeting go on. Text people really write (other scripts, LRM/RLM marks, emoji, several
 * lines of chat) still goes through untouched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, errorCode, randomDeviceId, settle } from '../helpers/ws-client.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';

/** One example of each refused class, named for the assertion messages. Fewer than 20: one connection's refusal burst. */
const FORBIDDEN_IN_ANY_TEXT: readonly (readonly [string, string])[] = [
  ['a right-to-left override U+202E', 'pay here: https://bank.example/\u202efdp.exe'],
  ['a left-to-right embedding U+202A', 'Board \u202ameeting\u202c'],
  ['a right-to-left isolate U+2067', 'Board \u2067teem\u2069'],
  ['a first-strong isolate U+2068', '\u2068Alice'],
  ['a pop directional isolate U+2069', 'Alice\u2069'],
  ['NUL U+0000', 'Al\u0000ice'],
  ['ESC with an ANSI sequence', '\u001b[31mAlice\u001b[0m'],
  ['a tab U+0009', 'Al\tice'],
  ['a carriage return U+000D', 'Alice\rBob'],
  ['DEL U+007F', 'Alice\u007f'],
  ['the C1 control NEL U+0085', 'Alice\u0085Bob'],
  ['the C1 control CSI U+009B', '\u009b31mAlice'],
  ['a line separator U+2028', 'Alice\u2028Bob'],
  ['a paragraph separator U+2029', 'Alice\u2029Bob'],
  ['a lone surrogate', 'Alice\ud800'],
];
const FORBIDDEN_IN_ONE_LINE: readonly (readonly [string, string])[] = [...FORBIDDEN_IN_ANY_TEXT, ['a line feed U+000A', 'Alice\nHost']];

let server: TestServer;

/** Sends each forbidden text through `request` and checks that each is refused with bad-message. */
async function expectAllRefused(client: RawClient, cases: readonly (readonly [string, string])[], message: (text: string) => Record<string, unknown>) {
  for (const [what, text] of cases) {
    assert.equal(errorCode(await client.request(message(text))), 'bad-message', what);
  }
  assert.equal(client.invalid.length, 0, 'every refusal is itself valid protocol');
}

const messagesOf = (client: RawClient, type: ServerMessage['type']) => client.received.filter((m) => m.type === type);

describe('text a person types and others see', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('refuses chat text with any forbidden character, relays none of it, and the chat goes on', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await expectAllRefused(mallory.client, FORBIDDEN_IN_ANY_TEXT, (text) => ({ type: 'chat', body: { kind: 'text', text } }));
    // A private message is checked the same way.
    assert.equal(errorCode(await mallory.client.request({ type: 'chat', to: alice.participantId, body: { kind: 'text', text: 'x\u202ey' } })), 'bad-message');
    await settle();
    assert.equal(messagesOf(alice.client, 'chat').length + messagesOf(m.host, 'chat').length, 0, 'nothing was relayed');

    const heard = alice.client.next((x) => x.type === 'chat' && x.from === mallory.participantId);
    assert.equal((await mallory.client.request({ type: 'chat', body: { kind: 'text', text: 'sorry' } })).type, 'ok', 'the same connection still works');
    const relayed = await heard;
    assert.deepEqual(relayed.type === 'chat' && relayed.body, { kind: 'text', text: 'sorry' });
  });

  it('relays chat in any script, with LRM and RLM marks, emoji and several lines, unchanged', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const text = 'First line\nשלום \u200f123\u200f\nمرحبا\u200e ok \u{1f44d}';
    const heard = alice.client.next((x) => x.type === 'chat');
    assert.equal((await m.host.request({ type: 'chat', body: { kind: 'text', text } })).type, 'ok');
    const relayed = await heard;
    assert.deepEqual(relayed.type === 'chat' && relayed.body, { kind: 'text', text });
  });

  it('refuses a meeting title with any forbidden character, creates no meeting, and serves the next request', async () => {
    const c = await RawClient.connect(server.wsUrl);
    await expectAllRefused(c, FORBIDDEN_IN_ONE_LINE, (title) => ({ type: 'create-meeting', title }));
    assert.equal(c.countOf('created'), 0);
    const created = await c.request({ type: 'create-meeting', title: 'اجتماع \u200fالمجلس' });
    assert.equal(created.type, 'created', 'the same connection still creates meetings');
  });

  it('refuses a name on join with any forbidden character, and the host sees nobody waiting', async () => {
    const m = await hostMeeting(server.wsUrl);
    const before = m.host.received.length;
    const c = await RawClient.connect(server.wsUrl);
    await expectAllRefused(c, FORBIDDEN_IN_ONE_LINE, (name) => ({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name, deviceId: randomDeviceId() }));
    await settle();
    assert.equal(c.countOf('waiting') + c.countOf('joined'), 0);
    assert.deepEqual(m.host.received.slice(before), [], 'the host heard of no one');

    const waiting = c.nextOf('waiting');
    const reply = await c.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'דנה \u200fכהן', deviceId: randomDeviceId() });
    assert.equal(reply.type, 'ok', 'the same connection still joins');
    await waiting;
  });

  it('refuses a rename with any forbidden character, tells no one, and keeps the old name', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await settle();
    const aliceBefore = alice.client.received.length;
    await expectAllRefused(mallory.client, FORBIDDEN_IN_ONE_LINE, (name) => ({ type: 'rename', name }));
    await settle();
    assert.deepEqual(alice.client.received.slice(aliceBefore), [], 'no participant-updated reached anyone');

    const updated = alice.client.nextOf('participant-updated');
    assert.equal((await mallory.client.request({ type: 'rename', name: 'Mallory \u{1f600}' })).type, 'ok', 'the same connection still renames');
    assert.equal((await updated).participant.name, 'Mallory \u{1f600}');
  });
});
