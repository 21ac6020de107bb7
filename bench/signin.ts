/**
 * The cost of signing in, and what the password endpoint sustains:
 *
 * 1. One Argon2id verification with Sabha's parameters (the cost of every password sign-in, and what a stolen
 *    hash costs an attacker per guess), median and p95, beside one SHA-256 of the same password in the same run.
 * 2. A whole password + TOTP sign-in over HTTP against a local server (median, p95).
 * 3. `POST /api/auth/password` with wrong passwords, 8 in flight: from one address (checked until the throttle
 *    answers 429 without hashing) and from many addresses against many accounts (every one hashed: the rate the
 *    Argon2 gate sustains).
 *
 * `npm run bench -- --only signin`, or alone: `node --import tsx bench/signin.ts`.
 */
import { createHash } from 'node:crypto';
import { ARGON2_PARAMETERS, hashPassword, verifyPassword } from '../src/server/accounts/passwords.ts';
import { openDatabase } from '../src/server/store/open.ts';
import { api, enrolUser, signInWithPassword, testClock, type ApiResponse } from '../test/helpers/accounts-http.ts';
import { startTestServer } from '../test/helpers/test-server.ts';
import { median } from './measure.ts';

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? Number.NaN;
const ms = (v: number) => `${v.toFixed(v < 1 ? 4 : 1)} ms`;

async function hashingCost(): Promise<void> {
  const password = 'violet-otter-climbs-Nilgiri-7';
  const stored = await hashPassword(password);
  const argon: number[] = [];
  const sha: number[] = [];
  for (let i = 0; i < 40; i++) {
    let start = performance.now();
    await verifyPassword(password, stored);
    argon.push(performance.now() - start);
    start = performance.now();
    createHash('sha256').update(password).digest();
    sha.push(performance.now() - start);
  }
  const p = ARGON2_PARAMETERS;
  console.log(`Argon2id verify (m=${p.memory / 1024} MiB, t=${p.passes}, p=${p.parallelism}): median ${ms(median(argon))}, p95 ${ms(p95(argon))}`);
  console.log(`baseline SHA-256 of the same password:          median ${ms(median(sha))}, p95 ${ms(p95(sha))}`);
}

/** Sends `total` requests, `inFlight` at a time; returns requests/s and the count of each status. */
async function flood(total: number, inFlight: number, send: (i: number) => Promise<ApiResponse>) {
  const statuses = new Map<number, number>();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const response = await send(next++);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: total / seconds, statuses: Object.fromEntries(statuses) };
}

async function endpoint(): Promise<void> {
  // The accounts run on a test clock that only moves when told: each sign-in takes a fresh TOTP step, and the
  // throttle's delays do not run out during the floods (what is measured is the rate before and after it acts).
  const clock = testClock();
  const server = await startTestServer({ overrides: { whoMayHost: 'accounts', trustProxy: true }, accounts: { now: clock.now } });
  const db = await openDatabase(server.config.database, server.config.dataDir);
  try {
    const user = await enrolUser(server, db, clock);
    const signIns: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      const attempt = await signInWithPassword(server, user, clock);
      signIns.push(performance.now() - start);
      if (!attempt.session) throw new Error('sign-in failed in the bench');
    }
    console.log(`password + TOTP sign-in over HTTP (2 requests + session lookup): median ${ms(median(signIns))}, p95 ${ms(p95(signIns))}`);

    const wrong = (email: string, ip: string) => api(server, 'POST', '/api/auth/password', { body: { email, password: 'not-the-password-123' }, ip });
    const one = await flood(400, 8, (i) => wrong(`victim${i % 5}@example.org`, '203.0.113.50'));
    console.log(`one address, 400 wrong passwords, 8 in flight: ${one.perSecond.toFixed(0)} req/s overall; ${JSON.stringify(one.statuses)} (401: hashed and refused; 429: throttled, no hash)`);
    const many = await flood(200, 8, (i) => wrong(`someone${i}@example.org`, `10.9.${i >> 8}.${i & 255}`));
    console.log(`many addresses x many accounts, 200 wrong passwords, 8 in flight: ${many.perSecond.toFixed(1)} req/s, every one hashed; ${JSON.stringify(many.statuses)}`);
    const cheap = await flood(400, 8, () => wrong('victim0@example.org', '203.0.113.50'));
    console.log(`baseline: the same endpoint answering 429 only (throttled address): ${cheap.perSecond.toFixed(0)} req/s`);
  } finally {
    await db.close();
    await server.close();
  }
}

export async function benchSignIn(): Promise<void> {
  await hashingCost();
  await endpoint();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSignIn();
