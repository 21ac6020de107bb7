/**
 * The browser's side of recording consent (src/client/recording-consent.ts), driven alone: the prompt follows a
 * sealed ask whichever of it and the state arrives first; the asking host is told everyone agreed only once it
 * opened a yes from every person present (a yes the server invents is not believed); a late entrant with the
 * host link is asked from the snapshot; a waiting person answers in clear.
 * The encryption is a stand-in whose "sealing" names the sealer, so that forged proofs can be made.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeetingEncryption } from '../../src/client/e2ee/meeting-encryption.ts';
import { RecordingConsent } from '../../src/client/recording-consent.ts';
import type { RecordingConsentMessage } from '../../src/e2ee/session/index.ts';
import type { ServerMessageOf } from '../../src/protocol/index.ts';

const HOST = 'aaaaaaaaaaaaaaaa';
const ASHA = 'bbbbbbbbbbbbbbbb';
const RAVI = 'cccccccccccccccc';

/**
 * A proof is base64 of `{sealer, value}`: it "opens" only for the sealer, and, as an MLS message, only once for
 * each receiver (its key is deleted after use).
 */
function fakeEncryption(self: string): MeetingEncryption {
  const opened = new Set<string>();
  return {
    sealRecordingConsent: async (value: RecordingConsentMessage) => Buffer.from(JSON.stringify({ sealer: self, value })).toString('base64'),
    openRecordingConsent: async (from: string, proof: string) => {
      if (opened.has(proof)) return undefined;
      opened.add(proof);
      const { sealer, value } = JSON.parse(Buffer.from(proof, 'base64').toString()) as { sealer: string; value: RecordingConsentMessage };
      return sealer === from ? value : undefined;
    },
  } as unknown as MeetingEncryption;
}

function client(self: string, people: string[]) {
  const sent: Record<string, unknown>[] = [];
  const encryption = fakeEncryption(self);
  const consent = new RecordingConsent({
    request: async (m) => void sent.push(m as Record<string, unknown>),
    encryption: () => encryption,
    selfId: () => self,
    people: () => people,
  });
  const events: string[] = [];
  consent.on('asked', (p) => events.push(`asked:${p.request}:${p.waiting}`));
  consent.on('all-consented', (r) => events.push(`all:${r}`));
  consent.on('problem', (p) => events.push(`problem:${p.kind}:${p.from}`));
  return { consent, sent, events };
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const asking = (request: string): ServerMessageOf<'recording-state'> => ({ type: 'recording-state', recording: { state: 'asking', request, by: HOST, byName: 'Teacher', expiresInMs: 60_000 } });
const sealedBy = async (sealer: string, value: RecordingConsentMessage) => fakeEncryption(sealer).sealRecordingConsent(value);

describe('recording consent in the browser', () => {
  it('asks a participant once the sealed ask opened, whether it comes before or after the state', async () => {
    const request = 'rrrrrrrrrrrrrrrrrrrrrr';
    const proof = await sealedBy(HOST, { kind: 'ask', request });
    const first = client(ASHA, [HOST, ASHA]);
    first.consent.handleMessage({ type: 'recording-ask', from: HOST, request, proof, sentAt: 1 });
    await settle();
    first.consent.handleMessage(asking(request));
    const second = client(ASHA, [HOST, ASHA]);
    second.consent.handleMessage(asking(request));
    second.consent.handleMessage({ type: 'recording-ask', from: HOST, request, proof, sentAt: 1 });
    await settle();
    for (const c of [first, second]) assert.deepEqual(c.events, [`asked:${request}:false`]);
    await first.consent.answer(true);
    const answer = first.sent.at(-1)!;
    assert.equal(answer.type, 'recording-answer');
    assert.equal(answer.consent, true);
    assert.deepEqual(await fakeEncryption(HOST).openRecordingConsent(ASHA, answer.proof as string), { kind: 'answer', request, consent: true });
  });

  it('does not ask on an ask that another member sealed under the host’s name', async () => {
    const request = 'rrrrrrrrrrrrrrrrrrrrrr';
    const c = client(ASHA, [HOST, ASHA, RAVI]);
    c.consent.handleMessage(asking(request));
    c.consent.handleMessage({ type: 'recording-ask', from: HOST, request, proof: await sealedBy(RAVI, { kind: 'ask', request }), sentAt: 1 });
    await settle();
    assert.deepEqual(c.events, [`problem:ask:${HOST}`]);
  });

  it('tells the asking host everyone agreed only with an opened yes from each person present', async () => {
    const host = client(HOST, [HOST, ASHA, RAVI]);
    await host.consent.ask();
    const request = host.sent[0]!.request as string;
    host.consent.handleMessage({ ...asking(request) });
    const answer = async (from: string, sealer: string, consent: boolean) =>
      host.consent.handleMessage({ type: 'recording-answer', from, request, consent, waiting: false, proof: await sealedBy(sealer, { kind: 'answer', request, consent }) });
    await answer(ASHA, ASHA, true);
    // The server claims Ravi said yes, with a proof Asha sealed: not believed.
    await answer(RAVI, ASHA, true);
    await settle();
    assert.deepEqual(host.events, [`problem:answer:${RAVI}`]);
    assert.equal(host.consent.answers.get(RAVI)?.trusted, false);
    // A yes in clear that disagrees with its proof is not believed either.
    host.consent.handleMessage({ type: 'recording-answer', from: RAVI, request, consent: true, waiting: false, proof: await sealedBy(RAVI, { kind: 'answer', request, consent: false }) });
    await settle();
    assert.ok(!host.events.includes(`all:${request}`));
    await answer(RAVI, RAVI, true);
    await settle();
    assert.equal(host.events.at(-1), `all:${request}`);
    await host.consent.start();
    assert.deepEqual(host.sent.at(-1), { type: 'recording-start', request });
  });

  it('shows a co-host who did not ask the answers to the current request, and forgets them when it ends', async () => {
    const request = 'rrrrrrrrrrrrrrrrrrrrrr';
    const cohost = client(RAVI, [HOST, ASHA, RAVI]);
    cohost.consent.handleMessage(asking(request));
    cohost.consent.handleMessage({ type: 'recording-answer', from: ASHA, request, consent: true, waiting: true });
    await settle();
    assert.deepEqual(cohost.consent.answers.get(ASHA), { consent: true, trusted: true, waiting: true }, 'a waiting person’s answer reaches the people panel');
    assert.ok(!cohost.events.some((e) => e.startsWith('all:')), 'only the asker is told to start');
    cohost.consent.handleMessage({ type: 'recording-state', recording: { state: 'idle' } });
    assert.equal(cohost.consent.answers.size, 0);
  });

  it('keeps the answers it checked when the asker resumes, and checks those it missed from the snapshot', async () => {
    const host = client(HOST, [HOST, ASHA, RAVI]);
    await host.consent.ask();
    const request = host.sent[0]!.request as string;
    host.consent.handleMessage(asking(request));
    const ashaYes = await sealedBy(ASHA, { kind: 'answer', request, consent: true });
    host.consent.handleMessage({ type: 'recording-answer', from: ASHA, request, consent: true, waiting: false, proof: ashaYes });
    await settle();
    // The connection resumes: a fresh snapshot of the same request, then every answer counted so far. Asha's proof
    // already opened here (MLS opens a message once); Ravi's yes came while we were away.
    host.consent.handleJoined({
      type: 'joined', self: { participantId: HOST, role: 'host', resumeToken: 'x'.repeat(43) }, title: 'T', startedAt: 1, settings: {} as never,
      participants: [], publications: [], mls: { epoch: 1, groupExists: true }, recording: asking(request).recording,
    });
    host.consent.handleMessage({ type: 'recording-answer', from: ASHA, request, consent: true, waiting: false, proof: ashaYes });
    host.consent.handleMessage({ type: 'recording-answer', from: RAVI, request, consent: true, waiting: false, proof: await sealedBy(RAVI, { kind: 'answer', request, consent: true }) });
    await settle();
    assert.equal(host.consent.answers.get(ASHA)?.trusted, true, 'the answer checked before the resume still counts');
    assert.ok(!host.events.some((e) => e.startsWith('problem')), `no problem: ${host.events.join(', ')}`);
    assert.equal(host.events.at(-1), `all:${request}`);
    await host.consent.start();
    assert.deepEqual(host.sent.at(-1), { type: 'recording-start', request });
  });

  it('asks someone who entered a recorded meeting without the waiting room, and a waiting person in clear', async () => {
    const request = 'rrrrrrrrrrrrrrrrrrrrrr';
    const late = client(RAVI, [HOST, ASHA, RAVI]);
    late.consent.handleJoined({
      type: 'joined', self: { participantId: RAVI, role: 'cohost', resumeToken: 'x'.repeat(43) }, title: 'T', startedAt: 1, settings: {} as never,
      participants: [], publications: [], mls: { epoch: 1, groupExists: true },
      recording: { state: 'recording', request, by: HOST, byName: 'Teacher', since: 1 },
    });
    assert.deepEqual(late.events, [`asked:${request}:false`]);
    assert.equal(late.consent.prompt?.recording, true);
    const waiting = client(ASHA, []);
    waiting.consent.handleMessage({ type: 'recording-consent-needed', request, byName: 'Teacher', recording: true });
    await waiting.consent.answer(true);
    assert.deepEqual(waiting.sent, [{ type: 'recording-answer', request, consent: true }], 'no proof from the waiting room');
  });
});
