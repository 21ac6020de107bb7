import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromWorkerMessage, toWorkerMessage, transformOptions } from '../../src/e2ee/worker/messages.ts';

const PID = '0123456789abcdef';
const key = () => new Uint8Array(16).fill(7);

describe('worker message schemas', () => {
  test('a well-formed set-send-key with a 64-bit KID is accepted', () => {
    const kid = ((1n << 64n) - 1n).toString();
    assert.equal(toWorkerMessage.safeParse({ kind: 'set-send-key', data: { epoch: 3, kid, key: key(), activateAfterMs: 0 } }).success, true);
  });

  test('a send key\'s activation delay is a whole number of milliseconds up to 10 s, and required', () => {
    const send = (activateAfterMs: unknown) => ({ kind: 'set-send-key', data: { epoch: 3, kid: '256', key: key(), activateAfterMs } });
    assert.equal(toWorkerMessage.safeParse(send(1500)).success, true);
    assert.equal(toWorkerMessage.safeParse(send(10_000)).success, true);
    for (const bad of [-1, 1.5, 10_001, '0', undefined]) assert.equal(toWorkerMessage.safeParse(send(bad)).success, false, String(bad));
  });

  test('drop-keys carries no data at all', () => {
    assert.equal(toWorkerMessage.safeParse({ kind: 'drop-keys', data: {} }).success, true);
    assert.equal(toWorkerMessage.safeParse({ kind: 'drop-keys', data: { epoch: 1 } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'drop-epoch', data: { epoch: 1 } }).success, false, 'the old message is gone');
  });

  test('an unknown field at either level is rejected', () => {
    assert.equal(toWorkerMessage.safeParse({ kind: 'set-send-key', data: { epoch: 3, kid: '256', key: key(), activateAfterMs: 0, extra: 1 } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'drop-keys', data: {}, extra: true }).success, false);
    const receive = { kind: 'set-receive-keys', data: { epoch: 1, keys: [{ kid: '1', key: key(), participantId: PID, leaf: 0 }] } };
    assert.equal(toWorkerMessage.safeParse(receive).success, false);
  });

  test('KIDs that are not canonical decimal strings within 64 bits are rejected', () => {
    for (const kid of ['-1', '01', '1.5', '0x10', '', (1n << 64n).toString(), 5]) {
      assert.equal(toWorkerMessage.safeParse({ kind: 'set-send-key', data: { epoch: 0, kid, key: key(), activateAfterMs: 0 } }).success, false, String(kid));
    }
  });

  test('keys must be 16 bytes in a Uint8Array', () => {
    for (const bad of [new Uint8Array(15), new Uint8Array(32), [...key()], key().buffer, 'AAAA']) {
      assert.equal(toWorkerMessage.safeParse({ kind: 'set-send-key', data: { epoch: 0, kid: '0', key: bad, activateAfterMs: 0 } }).success, false);
    }
  });

  test('attach needs real streams, a known operation and kind, and a participant id', () => {
    const good = { streamId: 1, readable: new ReadableStream(), writable: new WritableStream(), operation: 'decrypt', participantId: PID, kind: 'video' };
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: good }).success, true);
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: { ...good, readable: {} } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: { ...good, operation: 'passthrough' } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: { ...good, kind: 'data' } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: { ...good, participantId: 'ABCDEF0123456789' } }).success, false);
    assert.equal(toWorkerMessage.safeParse({ kind: 'attach', data: { ...good, streamId: 0 } }).success, false);
  });

  test('an unknown kind is rejected in both directions', () => {
    assert.equal(toWorkerMessage.safeParse({ kind: 'set-key', data: {} }).success, false);
    assert.equal(fromWorkerMessage.safeParse({ kind: 'log', data: {} }).success, false);
  });

  test('decrypt-failure reports need a known reason and a positive count', () => {
    const ok = { kind: 'decrypt-failure', data: { participantId: PID, reason: 'auth-failed', count: 3 } };
    assert.equal(fromWorkerMessage.safeParse(ok).success, true);
    assert.equal(fromWorkerMessage.safeParse({ ...ok, data: { ...ok.data, count: 0 } }).success, false);
    assert.equal(fromWorkerMessage.safeParse({ ...ok, data: { ...ok.data, reason: 'other' } }).success, false);
    assert.equal(fromWorkerMessage.safeParse({ ...ok, data: { ...ok.data, kid: '1' } }).success, false);
  });

  test('stats must carry exactly the counters, as non-negative integers', () => {
    const data = { encrypted: 1, decrypted: 2, droppedNoSendKey: 0, droppedUndecryptable: 0, droppedExpected: 0, invalidMessages: 0 };
    assert.equal(fromWorkerMessage.safeParse({ kind: 'stats', data }).success, true);
    assert.equal(fromWorkerMessage.safeParse({ kind: 'stats', data: { ...data, encrypted: -1 } }).success, false);
    assert.equal(fromWorkerMessage.safeParse({ kind: 'stats', data: { ...data, encrypted: '1' } }).success, false);
    const { invalidMessages: _omitted, ...missing } = data;
    assert.equal(fromWorkerMessage.safeParse({ kind: 'stats', data: missing }).success, false);
  });

  test('script transform options are strict too', () => {
    assert.equal(transformOptions.safeParse({ operation: 'encrypt', participantId: PID, kind: 'audio' }).success, true);
    assert.equal(transformOptions.safeParse({ operation: 'encrypt', participantId: PID, kind: 'audio', key: 'x' }).success, false);
    assert.equal(transformOptions.safeParse(undefined).success, false);
    const decrypt = { operation: 'decrypt', participantId: PID, kind: 'video' };
    assert.equal(transformOptions.safeParse({ ...decrypt, retargetedFrom: 'fedcba9876543210' }).success, true);
    assert.equal(transformOptions.safeParse({ ...decrypt, retargetedFrom: PID }).success, false, 'not the same participant');
    assert.equal(transformOptions.safeParse({ ...decrypt, retargetedFrom: 'Fedcba9876543210' }).success, false);
    assert.equal(transformOptions.safeParse({ ...decrypt, operation: 'encrypt', retargetedFrom: 'fedcba9876543210' }).success, false, 'senders are never re-pointed');
  });
});
