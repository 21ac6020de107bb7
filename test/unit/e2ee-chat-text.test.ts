/**
 * The typed-text rule (src/protocol/text.ts) on end-to-end encrypted chat. The server cannot read sealed chat,
 * so a modified client could seal a bidi override or an ANSI sequence; the receiving E2EE session opens it,
 * applies the same rule as the server does to plaintext chat, and drops what it refuses with `chat-rejected`
 * instead of showing it. An honest client refuses to seal such text in the first place.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MlsMember } from '../../src/e2ee/mls/index.ts';
import type { Person } from './e2ee-fake-meeting.ts';
import { hostAndTwoParticipants } from './e2ee-session-fixtures.ts';

/** One example of each class the rule refuses in chat (a line feed is allowed there). */
const FORBIDDEN: readonly (readonly [string, string])[] = [
  ['a right-to-left override', 'invoice\u202efdp.exe'],
  ['a left-to-right embedding', 'a\u202ab'],
  ['an isolate', 'a\u2066b\u2069'],
  ['NUL', 'a\u0000b'],
  ['ESC (an ANSI colour)', '\u001b[31mred'],
  ['a carriage return', 'a\rb'],
  ['the C1 control NEL', 'a\u0085b'],
  ['a line separator', 'a\u2028b'],
];

async function meetingOfThree() {
  const { meeting, host, first: mallory, second: alice } = await hostAndTwoParticipants();
  return { meeting, host, mallory, alice };
}

/**
 * Seals `text` the way a modified client would: its own session's encryptChat, with the plaintext swapped for
 * a hand-made sealed chat just before MLS encrypts it, so no check on the sending side sees it.
 */
async function sealBypassingTheSender(sender: Person, text: string) {
  const original = MlsMember.prototype.encryptApplication;
  const forged = new TextEncoder().encode(JSON.stringify({ v: 1, text }));
  MlsMember.prototype.encryptApplication = function (this: MlsMember) {
    return original.call(this, forged);
  };
  try {
    return await sender.session.encryptChat('placeholder');
  } finally {
    MlsMember.prototype.encryptApplication = original;
  }
}

describe('end-to-end encrypted chat under the typed-text rule', () => {
  test('a sealed chat with any forbidden character is opened, refused with chat-rejected, and never shown', async () => {
    const { meeting, host, mallory, alice } = await meetingOfThree();
    for (const [what, text] of FORBIDDEN) {
      const body = await sealBypassingTheSender(mallory, text);
      await meeting.sendAs(mallory, { type: 'chat', body });
      await meeting.settle();
      for (const receiver of [host, alice]) {
        assert.deepEqual(receiver.chats, [], `${what}: nothing shown to ${receiver.id}`);
        assert.deepEqual(receiver.problems.splice(0), [{ code: 'chat-rejected', participantId: mallory.id }], `${what}: reported to ${receiver.id}`);
      }
      if (body.kind === 'mls') await assert.rejects(alice.session.decryptChat(body.data), `${what}: decryptChat refuses it too`);
    }
    // The group is unharmed: the same sender's next honest message is shown.
    const body = await mallory.session.encryptChat('sorry');
    await meeting.sendAs(mallory, { type: 'chat', body });
    await meeting.settle();
    assert.deepEqual(alice.chats.map((m) => [m.from, m.text]), [[mallory.id, 'sorry']]);
    assert.deepEqual(alice.problems, []);
  });

  test('the same forged path delivers allowed text, so the refusal above is the rule and not the forgery', async () => {
    const { meeting, mallory, alice } = await meetingOfThree();
    const text = 'two\nlines with \u200fRLM\u200f, \u200eLRM and \u{1f44d}';
    const body = await sealBypassingTheSender(mallory, text);
    await meeting.sendAs(mallory, { type: 'chat', body });
    await meeting.settle();
    assert.deepEqual(alice.chats.map((m) => [m.from, m.text]), [[mallory.id, text]]);
    assert.deepEqual(alice.problems, []);
  });

  test('an honest session refuses to seal text the rule forbids', async () => {
    const { mallory } = await meetingOfThree();
    for (const [what, text] of FORBIDDEN) {
      await assert.rejects(mallory.session.encryptChat(text), TypeError, what);
    }
  });
});
