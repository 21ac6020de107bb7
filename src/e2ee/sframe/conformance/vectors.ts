/**
 * Loader for the SFrame working group's test-vector JSON (RFC 9605 appendix C).
 * KID and CTR values reach 2^64-1, beyond what JSON.parse keeps exact, so every bare
 * integer is turned into a string before parsing and read back as a BigInt. The
 * schema is strict: an unknown field or a malformed value rejects the whole file.
 */
import { z } from 'zod';

/** Wraps each integer literal outside strings in quotes: `"kid": 123` becomes `"kid": "123"`. */
export function quoteIntegers(json: string): string {
  let out = '';
  let i = 0;
  while (i < json.length) {
    const ch = json[i]!;
    if (ch === '"') {
      // Copy the string through, honouring escapes, so digits inside it stay untouched.
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < json.length && /[0-9.eE+-]/.test(json[j]!)) j++;
      const token = json.slice(i, j);
      out += /^-?\d+$/.test(token) ? `"${token}"` : token;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const hex = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'hex with an even number of digits');
const u64 = z
  .string()
  .regex(/^\d{1,20}$/, 'unsigned integer')
  .transform((s) => BigInt(s))
  .refine((v) => v < 1n << 64n, 'exceeds 2^64-1');
const suiteNumber = z
  .string()
  .regex(/^\d{1,5}$/, 'cipher suite number')
  .transform((s) => Number(s));

export const headerVector = z.strictObject({ kid: u64, ctr: u64, encoded: hex });

export const aesCtrHmacVector = z.strictObject({
  cipher_suite: suiteNumber,
  key: hex,
  enc_key: hex,
  auth_key: hex,
  nonce: hex,
  aad: hex,
  pt: hex,
  ct: hex,
});

export const sframeVector = z.strictObject({
  cipher_suite: suiteNumber,
  kid: u64,
  ctr: u64,
  base_key: hex,
  sframe_key_label: hex,
  sframe_salt_label: hex,
  sframe_secret: hex,
  sframe_key: hex,
  sframe_salt: hex,
  metadata: hex,
  nonce: hex,
  aad: hex,
  pt: hex,
  ct: hex,
});

export const vectorFile = z.strictObject({
  header: z.array(headerVector),
  aes_ctr_hmac: z.array(aesCtrHmacVector),
  sframe: z.array(sframeVector),
});

export type HeaderVector = z.infer<typeof headerVector>;
export type AesCtrHmacVector = z.infer<typeof aesCtrHmacVector>;
export type SFrameVector = z.infer<typeof sframeVector>;
export type VectorFile = z.infer<typeof vectorFile>;

/** Throws SyntaxError for bad JSON, TypeError naming the first bad field for a bad shape. */
export function parseVectorFile(text: string): VectorFile {
  const result = vectorFile.safeParse(JSON.parse(quoteIntegers(text)));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(top level)';
  throw new TypeError(`invalid test-vector file at ${where}: ${issue?.message ?? 'unknown problem'}`);
}
