/**
 * The binding between a device identity key and one MLS member: the BasicCredential's identity bytes carry
 * the participant id, the identity public key, and the identity key's signature over the participant id and
 * the leaf's MLS signature public key. Every member checks it for every leaf it accepts (a KeyPackage added
 * by a commit, each leaf of the tree in a Welcome, a committer's new leaf), through MLS's authentication
 * service (src/e2ee/mls/identity.ts). The credential is inside the signed LeafNode, so nobody can change
 * it without the leaf's MLS signature key either.
 *
 * What the binding gives: a leaf shown as carrying identity key K was made by someone holding K's private
 * key, for exactly this participant id and this MLS signature key. A server cannot put another device's
 * identity key into a KeyPackage of its own (it cannot sign the binding), nor reuse a binding with an MLS
 * key of its own (the signature covers that key). It still can add a KeyPackage with an identity key of its
 * own under someone's participant id: that is what comparing the person's code (person-code.ts) catches.
 *
 * Layout of the credential identity (117 bytes, fixed):
 *   "SBH1" (4) | participant id (16 ASCII hex) | algorithm (1; 1 = Ed25519) | identity public key (32) | signature (64)
 */
import {
  BINDING_SIGNATURE_LENGTH,
  IDENTITY_KEY_ED25519,
  IDENTITY_PUBLIC_KEY_LENGTH,
  verifyIdentitySignature,
  type DeviceIdentity,
} from './device-identity.ts';

const MAGIC = new TextEncoder().encode('SBH1');
const PARTICIPANT_ID_LENGTH = 16;
const PARTICIPANT_ID = /^[0-9a-f]{16}$/;
const CREDENTIAL_LENGTH = MAGIC.length + PARTICIPANT_ID_LENGTH + 1 + IDENTITY_PUBLIC_KEY_LENGTH + BINDING_SIGNATURE_LENGTH;

/** Domain separation: the identity key signs nothing else with this label. */
const BINDING_LABEL = new TextEncoder().encode('Sabha identity binds MLS leaf v1\0');

export interface BoundIdentity {
  readonly participantId: string;
  readonly identityKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** What the identity key signs: label | participant id | u16 length | MLS signature public key. */
export function bindingMessage(participantId: string, signaturePublicKey: Uint8Array): Uint8Array {
  const id = new TextEncoder().encode(participantId);
  const out = new Uint8Array(BINDING_LABEL.length + id.length + 2 + signaturePublicKey.length);
  let at = 0;
  out.set(BINDING_LABEL, at);
  at += BINDING_LABEL.length;
  out.set(id, at);
  at += id.length;
  out[at++] = (signaturePublicKey.length >> 8) & 0xff;
  out[at++] = signaturePublicKey.length & 0xff;
  out.set(signaturePublicKey, at);
  return out;
}

/** The credential identity bytes for `participantId` whose MLS leaf will use `signaturePublicKey`. */
export async function bindIdentity(participantId: string, signaturePublicKey: Uint8Array, device: DeviceIdentity): Promise<Uint8Array> {
  if (!PARTICIPANT_ID.test(participantId)) throw new TypeError('not a participant id');
  const signature = await device.sign(bindingMessage(participantId, signaturePublicKey));
  return encodeBoundIdentity({ participantId, identityKey: device.publicKey, signature });
}

export function encodeBoundIdentity(bound: BoundIdentity): Uint8Array {
  if (bound.identityKey.length !== IDENTITY_PUBLIC_KEY_LENGTH || bound.signature.length !== BINDING_SIGNATURE_LENGTH) throw new TypeError('malformed binding');
  const out = new Uint8Array(CREDENTIAL_LENGTH);
  let at = 0;
  out.set(MAGIC, at);
  at += MAGIC.length;
  out.set(new TextEncoder().encode(bound.participantId), at);
  at += PARTICIPANT_ID_LENGTH;
  out[at++] = IDENTITY_KEY_ED25519;
  out.set(bound.identityKey, at);
  at += IDENTITY_PUBLIC_KEY_LENGTH;
  out.set(bound.signature, at);
  return out;
}

/** Parses credential identity bytes (exact length, known algorithm, well-formed id), or undefined. */
export function decodeBoundIdentity(bytes: Uint8Array): BoundIdentity | undefined {
  if (bytes.length !== CREDENTIAL_LENGTH) return undefined;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return undefined;
  let at = MAGIC.length;
  const participantId = String.fromCharCode(...bytes.subarray(at, at + PARTICIPANT_ID_LENGTH));
  if (!PARTICIPANT_ID.test(participantId)) return undefined;
  at += PARTICIPANT_ID_LENGTH;
  if (bytes[at++] !== IDENTITY_KEY_ED25519) return undefined;
  const identityKey = bytes.slice(at, at + IDENTITY_PUBLIC_KEY_LENGTH);
  at += IDENTITY_PUBLIC_KEY_LENGTH;
  const signature = bytes.slice(at, at + BINDING_SIGNATURE_LENGTH);
  return { participantId, identityKey, signature };
}

/** True when the identity key signed this participant id together with this MLS signature key. */
export function verifyBinding(bound: BoundIdentity, signaturePublicKey: Uint8Array): Promise<boolean> {
  return verifyIdentitySignature(bound.identityKey, bindingMessage(bound.participantId, signaturePublicKey), bound.signature);
}
