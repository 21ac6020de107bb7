/**
 * Per-frame cost of the E2EE worker's transform path (FrameCryptor behind a TransformStream, as the worker
 * pipes encoded frames) beside a pass-through TransformStream, for audio and video frame sizes.
 * Medians of batches, in microseconds per frame. Run alone: node --import tsx bench/e2ee-transform.ts
 */
import { CipherSuiteId, cipherSuite, mlsSenderKey } from '../src/e2ee/sframe/index.ts';
import { FrameCryptor } from '../src/e2ee/worker/frame-cryptor.ts';
import { createFrameTransform, type EncodedFrameLike, type StreamTarget } from '../src/e2ee/worker/worker-core.ts';
import { median } from './measure.ts';

const SIZES = [160, 4_000, 30_000];
const BATCH = 200;
const ROUNDS = 7;
const PID = '000000000000000a';

async function throughStream(frames: readonly Uint8Array[], transform: TransformStream<EncodedFrameLike, EncodedFrameLike>): Promise<number> {
  const start = performance.now();
  const source = new ReadableStream<EncodedFrameLike>({
    start(controller) {
      for (const f of frames) controller.enqueue({ data: f.slice().buffer });
      controller.close();
    },
  });
  let count = 0;
  await source.pipeThrough(transform).pipeTo(new WritableStream({ write: () => void count++ }));
  if (count !== frames.length) throw new Error('frames lost');
  return ((performance.now() - start) * 1000) / frames.length;
}

export async function benchE2eeTransform(): Promise<void> {
  const suite = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);
  const key = mlsSenderKey(suite, crypto.getRandomValues(new Uint8Array(16)), 1, 3);
  console.log('bytes  pass-through µs  encrypt µs  decrypt µs');
  for (const size of SIZES) {
    const pass: number[] = [];
    const enc: number[] = [];
    const dec: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sender = new FrameCryptor({ onFailure: () => {} });
      const receiver = new FrameCryptor({ onFailure: () => {} });
      await sender.setSendKey(3, key.kid, key.baseKey);
      await receiver.setReceiveKeys(3, [{ kid: key.kid, key: key.baseKey, participantId: PID }]);
      const frames = Array.from({ length: BATCH }, (_, i) => new Uint8Array(size).fill(i & 0xff));
      pass.push(await throughStream(frames, new TransformStream()));
      const sealed: Uint8Array[] = [];
      const encryptTarget: StreamTarget = { operation: 'encrypt', participantId: PID, kind: 'video' };
      const encrypting = createFrameTransform(sender, encryptTarget);
      const collect = new TransformStream<EncodedFrameLike, EncodedFrameLike>({
        transform(frame, controller) {
          sealed.push(new Uint8Array(frame.data));
          controller.enqueue(frame);
        },
      });
      const start = performance.now();
      await throughStream(frames, { readable: encrypting.readable.pipeThrough(collect), writable: encrypting.writable } as TransformStream<EncodedFrameLike, EncodedFrameLike>);
      enc.push(((performance.now() - start) * 1000) / BATCH);
      dec.push(await throughStream(sealed, createFrameTransform(receiver, { operation: 'decrypt', participantId: PID, kind: 'video' })));
    }
    console.log(`${String(size).padStart(5)}  ${median(pass).toFixed(1).padStart(15)}  ${median(enc).toFixed(1).padStart(10)}  ${median(dec).toFixed(1).padStart(10)}`);
  }
}

if (process.argv[1]?.endsWith('e2ee-transform.ts')) await benchE2eeTransform();
