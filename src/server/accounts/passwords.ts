/**
 * Password hashing (Argon2id, RFC 9106) and the password policy.
 *
 * Hashing uses Node's own `crypto.argon2` (Node 24: OpenSSL's implementation, no native add-on to build, and it
 * runs on the libuv thread pool so the event loop stays free). Stored as a PHC string
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so that parameters can be raised later and old hashes still verify
 * (`needsRehash` tells when to re-hash at the next sign-in).
 *
 * Parameters: 32 MiB, 2 passes, 1 lane: about 60 ms per hash on this project's 2-core reference machine
 * (bench/signin.ts measures it), inside the 50-100 ms and above OWASP's minimum (19 MiB, 2 passes).
 * Memory-hard: a GPU rig guessing a stolen hash pays 32 MiB per guess.
 *
 * Hashing is expensive by design, so it goes through a gate: at most `HASH_CONCURRENCY` at once and a bounded
 * queue; past it the request is refused (`busy`) instead of letting a flood of sign-ins from many addresses
 * exhaust memory and CPU.
 *
 * Policy: 10 to 256 characters, and not guessable: zxcvbn's estimate (the `@zxcvbn-ts/core` port with its
 * common-passwords, names and keyboard-pattern dictionaries, plus the user's own e-mail and name) must reach
 * score 3 ("safely unguessable: moderate protection from offline slow-hash scenario"). That refuses the common
 * and breached-looking passwords (`Password123!`, `qwertyuiop12`, `iloveyou2020`, the user's e-mail with a
 * digit) that credential stuffing lives on, with hints the page can show, without shipping a list of its own.
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { ApiError } from '../http/json-api.ts';

export interface Argon2Parameters {
  /** KiB. */
  memory: number;
  passes: number;
  parallelism: number;
}

export const ARGON2_PARAMETERS: Argon2Parameters = { memory: 32 * 1024, passes: 2, parallelism: 1 };
const SALT_BYTES = 16;
const TAG_BYTES = 32;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
const MIN_SCORE = 3;

/** Hashes in flight at once (the machine has 2 cores), and how many more may wait for a turn. */
const HASH_CONCURRENCY = 2;
const HASH_QUEUE = 64;

let running = 0;
const waiting: Array<() => void> = [];

/** Runs `work` when a hashing slot is free; refuses with 503 `busy` when too many already wait. */
async function throughGate<T>(work: () => Promise<T>): Promise<T> {
  if (running >= HASH_CONCURRENCY) {
    if (waiting.length >= HASH_QUEUE) throw new ApiError(503, 'busy');
    await new Promise<void>((go) => waiting.push(go));
  } else {
    running += 1;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function rawArgon2(password: string, salt: Buffer, p: Argon2Parameters, tagLength: number): Promise<Buffer> {
  return new Promise((done, fail) =>
    argon2('argon2id', { message: Buffer.from(password, 'utf8'), nonce: salt, parallelism: p.parallelism, tagLength, memory: p.memory, passes: p.passes }, (error, tag) =>
      error ? fail(error) : done(Buffer.from(tag)),
    ),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, parameters: Argon2Parameters = ARGON2_PARAMETERS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await throughGate(() => rawArgon2(password, salt, parameters, TAG_BYTES));
  return `$argon2id$v=19$m=${parameters.memory},t=${parameters.passes},p=${parameters.parallelism}$${b64(salt)}$${b64(tag)}`;
}

interface Parsed {
  parameters: Argon2Parameters;
  salt: Buffer;
  tag: Buffer;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$/;

function parse(stored: string): Parsed | undefined {
  const m = PHC.exec(stored);
  if (!m) return undefined;
  return {
    parameters: { memory: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) },
    salt: Buffer.from(m[4]!, 'base64'),
    tag: Buffer.from(m[5]!, 'base64'),
  };
}

/** A fixed hash to verify against when the account does not exist, so that the answer takes as long. */
let dummyHash: Promise<string> | undefined;

/**
 * True when `password` matches `stored`. With `stored` undefined (no such user, or no password credential) it
 * still spends one hash and answers false: an unknown e-mail and a wrong password cost the same time.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = stored === undefined ? undefined : parse(stored);
  if (!parsed) {
    dummyHash ??= hashPassword('not a real password: it makes a miss cost as much as a hit');
    const dummy = parse(await dummyHash)!;
    await throughGate(() => rawArgon2(password, dummy.salt, dummy.parameters, dummy.tag.length));
    return false;
  }
  const tag = await throughGate(() => rawArgon2(password, parsed.salt, parsed.parameters, parsed.tag.length));
  return timingSafeEqual(tag, parsed.tag);
}

/** True when a stored hash uses weaker parameters than today's, so it should be re-hashed at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const p = parsed.parameters;
  return p.memory < ARGON2_PARAMETERS.memory || p.passes < ARGON2_PARAMETERS.passes;
}

let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({ dictionary: { ...dictionary }, graphs: adjacencyGraphs, maxLength: MAX_PASSWORD_LENGTH });
  return zxcvbn;
}

export interface PasswordVerdict {
  ok: boolean;
  /** Machine words the page turns into text: `too-short`, `too-long`, zxcvbn's warning and suggestion keys. */
  hints: string[];
}

/** Checks a new password against the policy; `personal` are words of the user's own (e-mail, name). */
export function checkPasswordStrength(password: string, personal: string[] = []): PasswordVerdict {
  if ([...password].length < MIN_PASSWORD_LENGTH) return { ok: false, hints: ['too-short'] };
  if (password.length > MAX_PASSWORD_LENGTH) return { ok: false, hints: ['too-long'] };
  // Each word of the e-mail and name, and each joined up ("priya.sharma" and "Priya Sharma" → "priyasharma").
  const words = personal
    .flatMap((p) => {
      const lower = p.toLowerCase();
      const local = lower.split('@')[0]!;
      return [lower, ...lower.split(/[^\p{L}\p{N}]+/u), local.replace(/[^\p{L}\p{N}]+/gu, ''), lower.replace(/[^\p{L}\p{N}]+/gu, '')];
    })
    .filter((w) => w.length >= 3);
  const result = estimator().check(password, words);
  if (result.score >= MIN_SCORE) return { ok: true, hints: [] };
  const hints = [result.feedback.warning, ...result.feedback.suggestions].filter((h): h is string => typeof h === 'string' && h.length > 0).slice(0, 4);
  return { ok: false, hints: hints.length > 0 ? hints : ['too-guessable'] };
}

/** Throws `400 weak-password` with hints when the policy refuses it. */
export function requireStrongPassword(password: string, personal: string[] = []): void {
  const verdict = checkPasswordStrength(password, personal);
  if (!verdict.ok) throw new ApiError(400, 'weak-password', { hints: verdict.hints });
}
