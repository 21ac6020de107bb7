/**
 * Reading the participant id out of a KeyPackage the server relays, before committing it: the server
 * announces who a KeyPackage belongs to, and a KeyPackage whose credential names someone else is refused,
 * so the server cannot slip a key of its own into the group under a participant's name. So is one whose
 * device identity binding does not verify (docs/e2ee-mls.md "Device identity").
 * (MlsMember.commit checks the same again; checking here first lets one bad KeyPackage be left out of a
 * batch instead of failing the whole commit.)
 */
import { decodeBoundIdentity, verifyBinding } from '../identity/binding.ts';
import { participantIdOf } from '../mls/identity.ts';
import { decodeWholeMlsMessage } from '../mls/wire.ts';
import { fromBase64 } from './base64.ts';

/** The participant id in a base64 KeyPackage (as an MLSMessage), or undefined if it is not one. */
export function keyPackageIdentity(keyPackage: string): string | undefined {
  try {
    const message = decodeWholeMlsMessage(fromBase64(keyPackage));
    if (message.wireformat !== 'mls_key_package') return undefined;
    return participantIdOf(message.keyPackage.leafNode.credential);
  } catch {
    return undefined;
  }
}

/** Like keyPackageIdentity, but also undefined when the identity key did not sign this leaf's MLS key. */
export async function verifiedKeyPackageIdentity(keyPackage: string): Promise<string | undefined> {
  try {
    const message = decodeWholeMlsMessage(fromBase64(keyPackage));
    if (message.wireformat !== 'mls_key_package') return undefined;
    const leaf = message.keyPackage.leafNode;
    if (leaf.credential.credentialType !== 'basic') return undefined;
    const bound = decodeBoundIdentity(leaf.credential.identity);
    if (bound === undefined || !(await verifyBinding(bound, leaf.signaturePublicKey))) return undefined;
    return bound.participantId;
  } catch {
    return undefined;
  }
}
