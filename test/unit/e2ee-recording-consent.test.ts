/**
 * Recording consent sealed for the MLS group (src/e2ee/session/recording-consent.ts): the strict payload, and an
 * ask and answers through real MLS sessions: opened only from the member who sealed them, never as chat or a
 * signal, and never under another member's name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecordingConsent, encodeRecordingConsent, type RecordingConsentMessage } from '../../src/e2ee/session/recording-consent.ts';
import { decodeSealedSignal } from '../../src/e2ee/session/signals.ts';
import { hostAndTwoParticipants } from './e2ee-session-fixtures.ts';

const REQUEST = 'abcdefghijklmnopqrstuv';
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('the sealed recording consent schema', () => {
  test('an ask and both answers survive sealing and opening unchanged', () => {
    const messages: RecordingConsentMessage[] = [
      { kind: 'ask', request: REQUEST },
      { kind: 'answer', request: REQUEST, consent: true },
      { kind: 'answer', request: REQUEST, consent: false },
    ];
    for (const m of messages) assert.deepEqual(decodeRecordingConsent(encodeRecordingConsent(m)), m);
  });

  test('unknown fields, other kinds, a named participant, free text and other payloads are refused', () => {
    const refused: [string, unknown][] = [
      ['an unknown field', { v: 1, recording: { kind: 'ask', request: REQUEST, title: 'x' } }],
      ['consent for someone else', { v: 1, recording: { kind: 'answer', request: REQUEST, consent: true, for: 'aaaaaaaaaaaaaaaa' } }],
      ['consent as text', { v: 1, recording: { kind: 'answer', request: REQUEST, consent: 'yes' } }],
      ['a short request id', { v: 1, recording: { kind: 'ask', request: 'abc' } }],
      ['another kind', { v: 1, recording: { kind: 'start', request: REQUEST } }],
      ['another version', { v: 2, recording: { kind: 'ask', request: REQUEST } }],
      ['a signal', { v: 1, signal: { kind: 'hand-lowered' } }],
      ['a chat message', { v: 1, text: 'hello' }],
    ];
    for (const [what, value] of refused) assert.equal(decodeRecordingConsent(bytes(value)), undefined, what);
    assert.equal(decodeSealedSignal(encodeRecordingConsent({ kind: 'ask', request: REQUEST })), undefined, 'a consent message is not a signal');
  });
});

describe('recording consent through end-to-end encrypted sessions', () => {
  test('a host’s ask and a participant’s answer open for the others, from their sender only', async () => {
    const { host, first: alice, second: bob } = await hostAndTwoParticipants();
    const ask = await host.session.sealRecordingConsent({ kind: 'ask', request: REQUEST });
    assert.ok(ask.length < 1000, `a small proof: ${ask.length} characters`);
    for (const p of [alice, bob]) assert.deepEqual(await p.session.openRecordingConsent(host.id, ask), { kind: 'ask', request: REQUEST });
    assert.equal(await alice.session.openRecordingConsent(bob.id, ask), undefined, 'not under another member’s name');
    const answer = await alice.session.sealRecordingConsent({ kind: 'answer', request: REQUEST, consent: true });
    assert.deepEqual(await host.session.openRecordingConsent(alice.id, answer), { kind: 'answer', request: REQUEST, consent: true });
    assert.equal(await host.session.openRecordingConsent(bob.id, answer), undefined, 'Alice’s yes cannot count for Bob');
    const signal = await alice.session.encryptSignal({ kind: 'hand-raised' });
    assert.equal(await host.session.openRecordingConsent(alice.id, signal.data), undefined, 'a sealed signal is not consent');
  });
});
