/**
 * Per-frame cost of SFrame with suite 4 (AES_128_GCM_SHA256_128, Sabha's media suite)
 * through the public SFrameContext, at typical frame sizes, beside a plain copy of the
 * same bytes. Medians of individually timed operations, in microseconds.
 * Run alone: node --import tsx bench/sframe.ts
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CipherSuiteId, SFrameContext } from '../src/e2ee/sframe/index.ts';

interface FrameKind {
  readonly label: string;
  readonly bytes: number;
}

const FRAMES: readonly FrameKind[] = [
  { label: 'audio (Opus 20 ms)', bytes: 160 },
  { label: '360p average', bytes: 4_000 },
  { label: '360p key frame', bytes: 30_000 },
  { label: '720p average', bytes: 12_000 },
  { label: '720p key frame', bytes: 80_000 },
];

const ITERATIONS = 2_000;
/** Frames encrypted then decrypted per round: bounds memory at 80 KB frames. */
const BATCH = 100;
const WARMUP_ROUNDS = 2;
const KID = 0x0100n;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  readonly kind: FrameKind;
  readonly encryptUs: number;
  readonly decryptUs: number;
  readonly copyUs: number;
}

async function measure(kind: FrameKind): Promise<Row> {
  const suite = CipherSuiteId.AES_128_GCM_SHA256_128;
  const baseKey = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const sender = new SFrameContext({ suite });
  const receiver = new SFrameContext({ suite });
  await sender.addEncryptionKey(KID, baseKey);
  await receiver.addDecryptionKey(KID, baseKey);
  const plaintext = Uint8Array.from({ length: kind.bytes }, (_, i) => (i * 131 + 7) & 0xff); // content does not matter to AES
  const metadata = new Uint8Array(0);

  const enc: number[] = [];
  const dec: number[] = [];
  const copy: number[] = [];
  const rounds = ITERATIONS / BATCH;
  for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
    const record = round >= WARMUP_ROUNDS;
    const frames: Uint8Array[] = [];
    for (let i = 0; i < BATCH; i++) {
      const t0 = performance.now();
      const frame = await sender.encrypt(KID, plaintext, metadata);
      const t1 = performance.now();
      frames.push(frame);
      if (record) enc.push(t1 - t0);
    }
    for (const frame of frames) {
      const t0 = performance.now();
      await receiver.decrypt(frame, metadata);
      const t1 = performance.now();
      if (record) dec.push(t1 - t0);
    }
    for (let i = 0; i < BATCH; i++) {
      const t0 = performance.now();
      frames[i] = plaintext.slice(); // stored, so the copy is observable and not optimised away
      const t1 = performance.now();
      if (record) copy.push(t1 - t0);
    }
  }
  return { kind, encryptUs: median(enc) * 1000, decryptUs: median(dec) * 1000, copyUs: median(copy) * 1000 };
}

function formatTable(rows: readonly Row[]): string {
  const header = ['frame', 'bytes', 'encrypt µs', 'decrypt µs', 'copy µs', 'enc MB/s'];
  const body = rows.map((r) => [
    r.kind.label,
    String(r.kind.bytes),
    r.encryptUs.toFixed(1),
    r.decryptUs.toFixed(1),
    r.copyUs.toFixed(2),
    (r.kind.bytes / r.encryptUs).toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export async function benchSFrame(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of FRAMES) rows.push(await measure(kind));
  process.stdout.write(
    `SFrame AES_128_GCM_SHA256_128 (WebCrypto, ${process.version}), median of ${ITERATIONS} frames each\n` +
      `${formatTable(rows)}\n`,
  );
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) await benchSFrame();
