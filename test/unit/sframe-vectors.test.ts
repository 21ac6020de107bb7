import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkVectorFile } from '../../src/e2ee/sframe/conformance/check.ts';
import type { VectorGroup } from '../../src/e2ee/sframe/conformance/check.ts';
import { parseVectorFile, quoteIntegers } from '../../src/e2ee/sframe/conformance/vectors.ts';

const FIXTURE = new URL('../fixtures/sframe/rfc9605-test-vectors.json', import.meta.url);
const file = parseVectorFile(readFileSync(FIXTURE, 'utf8'));
const results = await checkVectorFile(file);

function failuresIn(group: VectorGroup): string[] {
  return results.filter((r) => r.group === group && !r.ok).map((r) => `${group}[${r.index}]: ${r.problem}`);
}

describe('RFC 9605 test vectors', () => {
  it('the fixture holds 289 header, 3 aes_ctr_hmac and 5 sframe vectors', () => {
    assert.equal(file.header.length, 289);
    assert.equal(file.aes_ctr_hmac.length, 3);
    assert.equal(file.sframe.length, 5);
    assert.equal(results.length, 297);
  });

  it('the sframe vectors cover each of the five cipher suites once', () => {
    assert.deepEqual(file.sframe.map((v) => v.cipher_suite).sort(), [1, 2, 3, 4, 5]);
  });

  it('every header vector encodes and decodes exactly', () => {
    assert.deepEqual(failuresIn('header'), []);
  });

  it('every aes_ctr_hmac vector splits its key, seals and opens exactly', () => {
    assert.deepEqual(failuresIn('aes_ctr_hmac'), []);
  });

  it('every sframe vector reproduces labels, secret, key, salt, nonce, aad and ciphertext, and decrypts', () => {
    assert.deepEqual(failuresIn('sframe'), []);
  });

  it('the loader keeps header values above 2^53 exact (93 of them, up to 2^64-1)', () => {
    const big = file.header.filter((v) => v.kid > 2n ** 53n || v.ctr > 2n ** 53n);
    assert.equal(big.length, 93);
    assert.ok(file.header.some((v) => v.kid === 2n ** 64n - 1n && v.ctr === 2n ** 64n - 1n));
  });
});

describe('test-vector loader', () => {
  it('quotes integer literals but leaves digits inside strings alone', () => {
    const text = '{"kid": 18446744073709551615, "ctr": 7, "encoded": "0123 45", "esc": "a\\"1"}';
    assert.equal(quoteIntegers(text), '{"kid": "18446744073709551615", "ctr": "7", "encoded": "0123 45", "esc": "a\\"1"}');
  });

  it('rejects unknown fields, values above 2^64-1 and odd-length hex', () => {
    const wrap = (header: string) => `{"header":[${header}],"aes_ctr_hmac":[],"sframe":[]}`;
    assert.throws(() => parseVectorFile(wrap('{"kid":1,"ctr":1,"encoded":"11","extra":1}')), /extra/);
    assert.throws(() => parseVectorFile(wrap('{"kid":18446744073709551616,"ctr":1,"encoded":"11"}')), /2\^64/);
    assert.throws(() => parseVectorFile(wrap('{"kid":1,"ctr":1,"encoded":"111"}')), /hex/);
  });

  it('rejects text that is not JSON', () => {
    assert.throws(() => parseVectorFile('{"header": ['), SyntaxError);
  });
});
