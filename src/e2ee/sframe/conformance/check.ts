/**
 * Runs every vector of a parsed test-vector file against this implementation and
 * reports each one, so the unit tests and the sframe-check tool judge the same way.
 * A vector passes only if every value it pins is reproduced, in both directions.
 */
import { importAeadKey, splitCtrHmacKey } from '../aead.ts';
import { concatBytes, constantTimeEqual, fromHex } from '../bytes.ts';
import { SFrameContext } from '../context.ts';
import { frameNonce, sealFrame } from '../frame.ts';
import { decodeHeader, encodeHeader } from '../header.ts';
import { deriveKeyMaterial, deriveSFrameKeys, sframeKeyLabel, sframeSaltLabel } from '../key-schedule.ts';
import { cipherSuite, isCipherSuiteId } from '../suites.ts';
import type { CipherSuite } from '../suites.ts';
import type { AesCtrHmacVector, HeaderVector, SFrameVector, VectorFile } from './vectors.ts';

export type VectorGroup = 'header' | 'aes_ctr_hmac' | 'sframe';

export interface VectorOutcome {
  readonly group: VectorGroup;
  readonly index: number;
  readonly ok: boolean;
  /** First value that did not match, or the error raised; absent when ok. */
  readonly problem?: string;
}

class Mismatch extends Error {}

function expectBytes(what: string, actual: Uint8Array, expectedHex: string): void {
  if (!constantTimeEqual(actual, fromHex(expectedHex))) throw new Mismatch(`${what} mismatch`);
}

function expect(what: string, ok: boolean): void {
  if (!ok) throw new Mismatch(`${what} mismatch`);
}

function suiteOf(id: number): CipherSuite {
  if (!isCipherSuiteId(id)) throw new Mismatch(`unsupported cipher suite ${id}`);
  return cipherSuite(id);
}

async function checkHeader(v: HeaderVector): Promise<void> {
  expectBytes('encoded header', encodeHeader(v.kid, v.ctr), v.encoded);
  const decoded = decodeHeader(fromHex(v.encoded));
  expect('decoded kid', decoded.kid === v.kid);
  expect('decoded ctr', decoded.ctr === v.ctr);
  expect('decoded header length', decoded.length === v.encoded.length / 2);
}

async function checkAesCtrHmac(v: AesCtrHmacVector): Promise<void> {
  const suite = suiteOf(v.cipher_suite);
  expect('suite kind (not AES-CTR+HMAC)', suite.aead === 'aes-ctr-hmac');
  const key = fromHex(v.key);
  const { encKey, authKey } = splitCtrHmacKey(suite, key);
  expectBytes('enc_key', encKey, v.enc_key);
  expectBytes('auth_key', authKey, v.auth_key);
  const nonce = fromHex(v.nonce);
  const aad = fromHex(v.aad);
  const sealer = await importAeadKey(suite, key, 'encrypt');
  expectBytes('ct', await sealer.seal(nonce, aad, fromHex(v.pt)), v.ct);
  const opener = await importAeadKey(suite, key, 'decrypt');
  expectBytes('decrypted pt', await opener.open(nonce, aad, fromHex(v.ct)), v.pt);
}

async function checkSFrame(v: SFrameVector): Promise<void> {
  const suite = suiteOf(v.cipher_suite);
  const baseKey = fromHex(v.base_key);
  const metadata = fromHex(v.metadata);
  expectBytes('sframe_key_label', sframeKeyLabel(suite, v.kid), v.sframe_key_label);
  expectBytes('sframe_salt_label', sframeSaltLabel(suite, v.kid), v.sframe_salt_label);
  const material = await deriveKeyMaterial(suite, v.kid, baseKey);
  expectBytes('sframe_secret', material.secret, v.sframe_secret);
  expectBytes('sframe_key', material.key, v.sframe_key);
  expectBytes('sframe_salt', material.salt, v.sframe_salt);
  expectBytes('nonce', frameNonce(material.salt, v.ctr), v.nonce);
  expectBytes('aad', concatBytes(encodeHeader(v.kid, v.ctr), metadata), v.aad);

  // Both directions go through the non-extractable key path used for media.
  const sendKeys = await deriveSFrameKeys(suite, v.kid, baseKey, 'encrypt');
  expectBytes('ct', await sealFrame(sendKeys, v.ctr, metadata, fromHex(v.pt)), v.ct);
  const receiver = new SFrameContext({ suite: suite.id });
  await receiver.addDecryptionKey(v.kid, baseKey);
  const opened = await receiver.decrypt(fromHex(v.ct), metadata);
  expect('decrypted kid', opened.kid === v.kid);
  expect('decrypted ctr', opened.ctr === v.ctr);
  expectBytes('decrypted pt', opened.plaintext, v.pt);
}

async function outcome(group: VectorGroup, index: number, run: () => Promise<void>): Promise<VectorOutcome> {
  try {
    await run();
    return { group, index, ok: true };
  } catch (err) {
    const problem = err instanceof Mismatch ? err.message : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
    return { group, index, ok: false, problem };
  }
}

export async function checkVectorFile(file: VectorFile): Promise<VectorOutcome[]> {
  const results: VectorOutcome[] = [];
  for (const [i, v] of file.header.entries()) results.push(await outcome('header', i, () => checkHeader(v)));
  for (const [i, v] of file.aes_ctr_hmac.entries()) results.push(await outcome('aes_ctr_hmac', i, () => checkAesCtrHmac(v)));
  for (const [i, v] of file.sframe.entries()) results.push(await outcome('sframe', i, () => checkSFrame(v)));
  return results;
}
