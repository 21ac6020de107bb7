/** Sabha's KeyPackages: one cipher suite, basic credentials, and a lifetime that tolerates clock skew. */
import { generateKeyPackageWithKey, type Capabilities, type Credential, type PrivateKeyPackage, type KeyPackage } from 'ts-mls';
import { SABHA_CIPHERSUITE, type MlsSuite } from './suite.ts';

/** KeyPackage lifetime: the clock-skew allowance before now, and the validity after it. */
const KEY_PACKAGE_NOT_BEFORE_SLACK_S = 3600n;
const KEY_PACKAGE_VALIDITY_S = 7n * 24n * 3600n;

const CAPABILITIES: Capabilities = {
  versions: ['mls10'],
  ciphersuites: [SABHA_CIPHERSUITE],
  extensions: [],
  proposals: [],
  credentials: ['basic'],
};

/** A KeyPackage for `credential`, signed with `signatureKeys` (fresh ones, or a leaf's own for a resync). */
export function newKeyPackage(
  credential: Credential,
  signatureKeys: { signKey: Uint8Array; publicKey: Uint8Array },
  suite: MlsSuite,
): Promise<{ publicPackage: KeyPackage; privatePackage: PrivateKeyPackage }> {
  const now = BigInt(Math.floor(Date.now() / 1000));
  const lifetime = { notBefore: now - KEY_PACKAGE_NOT_BEFORE_SLACK_S, notAfter: now + KEY_PACKAGE_VALIDITY_S };
  return generateKeyPackageWithKey(credential, CAPABILITIES, lifetime, [], signatureKeys, suite.impl);
}
