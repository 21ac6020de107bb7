/**
 * Receive keys are imported when a sender's first frame arrives, not when the epoch's keys are set: a browser
 * in a meeting of a thousand receives a few dozen of them. The result must be the same as importing at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CipherSuiteId, cipherSuite, mlsSenderKey } from '../../src/e2ee/sframe/index.ts';
import { FrameCryptor } from '../../src/e2ee/worker/frame-cryptor.ts';

const SUITE = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);
const id = (leaf: number) => leaf.toString(16).padStart(16, '0');
const base = (seed: number) => Uint8Array.from({ length: 16 }, (_, i) => (i * 13 + seed) & 0xff);

function keysFor(members: number, epoch: number, seed: number) {
  return Array.from({ length: members - 1 }, (_, i) => {
    const k = mlsSenderKey(SUITE, base(seed), i + 1, epoch);
    return { kid: k.kid, key: k.baseKey, participantId: id(i + 1) };
  });
}

async function sender(leaf: number, epoch: number, seed: number): Promise<FrameCryptor> {
  const c = new FrameCryptor({ onFailure: () => {} });
  const k = mlsSenderKey(SUITE, base(seed), leaf, epoch);
  await c.setSendKey(epoch, k.kid, k.baseKey);
  return c;
}

const audio = (n: number) => Uint8Array.of(n, n, n, n, n);

describe('deferred receive keys', () => {
  test('a thousand members keyed at once; any sender’s frames open, concurrently, under the right participant only', async () => {
    const failures: string[] = [];
    const receiver = new FrameCryptor({ onFailure: (f) => failures.push(`${f.participantId}:${f.reason}`) });
    await receiver.setReceiveKeys(7, keysFor(1000, 7, 1));
    const [a, b] = await Promise.all([sender(17, 7, 1), sender(999, 7, 1)]);
    const frames = await Promise.all([1, 2, 3].map(async (n) => [await a.encryptFrame(audio(n), 'audio'), await b.encryptFrame(audio(n + 10), 'audio')] as const));
    const opened = await Promise.all(frames.flatMap(([fa, fb]) => [receiver.decryptFrame(fa!, id(17), 'audio'), receiver.decryptFrame(fb!, id(999), 'audio')]));
    assert.deepEqual(opened.map((o) => o?.[0]), [1, 11, 2, 12, 3, 13]);
    assert.equal(await receiver.decryptFrame((await a.encryptFrame(audio(4), 'audio'))!, id(999), 'audio'), null, 'shown under another participant: refused');
    assert.deepEqual(failures, [`${id(999)}:wrong-sender`]);
  });

  test('a key replaced before its first frame is the one used, and a forgotten key opens nothing', async () => {
    const receiver = new FrameCryptor({ onFailure: () => {} });
    await receiver.setReceiveKeys(7, keysFor(3, 7, 1));
    await receiver.setReceiveKeys(7, keysFor(3, 7, 2)); // same KIDs, other keys (a new group at the same epoch)
    const stale = await sender(1, 7, 1);
    const fresh = await sender(1, 7, 2);
    assert.equal(await receiver.decryptFrame((await stale.encryptFrame(audio(1), 'audio'))!, id(1), 'audio'), null);
    assert.deepEqual((await receiver.decryptFrame((await fresh.encryptFrame(audio(2), 'audio'))!, id(1), 'audio'))?.[0], 2);
    await receiver.dropAllKeys();
    assert.equal(await receiver.decryptFrame((await fresh.encryptFrame(audio(3), 'audio'))!, id(1), 'audio'), null, 'dropped');
    const other = await sender(2, 7, 2);
    await receiver.setReceiveKeys(7, keysFor(3, 7, 2));
    await receiver.dropAllKeys();
    assert.equal(await receiver.decryptFrame((await other.encryptFrame(audio(4), 'audio'))!, id(2), 'audio'), null, 'dropped before ever being imported');
  });
});
