/**
 * A software WebAuthn authenticator for tests: it makes ES256 (P-256) credentials and assertions with node:crypto
 * exactly as a browser hands them to a page (the JSON of @simplewebauthn/browser), so that the server's passkey
 * path runs without a browser. Attestation is 'none'. What it writes, per WebAuthn Level 3 §6.1 and §5.8.1:
 *
 *   authenticatorData = SHA-256(rpId) ‖ flags ‖ signCount (4 bytes, big-endian) ‖ [attestedCredentialData]
 *   attestedCredentialData = AAGUID (16) ‖ credentialIdLength (2) ‖ credentialId ‖ COSE_Key (CBOR)
 *   clientDataJSON = {"type","challenge","origin","crossOrigin"}
 *   signature = ECDSA-P256-SHA256(authenticatorData ‖ SHA-256(clientDataJSON)), DER-encoded
 *
 * A test can make it misbehave: sign for another origin or RP id, repeat a counter (a cloned authenticator),
 * or hand over the same credential to a second instance (`clone()`).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** The options JSON the server sends (the fields this authenticator reads). */
export interface CreationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
}
export interface RequestOptionsJSON {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export interface RegistrationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[]; publicKeyAlgorithm: number };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform' | 'cross-platform';
}
export interface AuthenticationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform' | 'cross-platform';
}

interface StoredCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

/** Flags of authenticatorData (WebAuthn §6.1). */
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;
/** COSE algorithm ES256 (RFC 9053) and key type EC2 with curve P-256. */
const COSE_ES256 = -7;

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

export interface CeremonyOverrides {
  /** The page origin the browser would write into clientDataJSON (default: the authenticator's). */
  origin?: string;
  /** The RP id whose hash goes into authenticatorData (default: the options' or the origin's host). */
  rpId?: string;
  /** The signature counter to report (default: one more than the last). */
  counter?: number;
  /** Clear the user-verified flag. */
  withoutUserVerification?: boolean;
  /** clientDataJSON `type` (default webauthn.create / webauthn.get). */
  type?: string;
}

export class SoftwareAuthenticator {
  readonly origin: string;
  readonly #credentials: StoredCredential[];

  constructor(origin: string, credentials: StoredCredential[] = []) {
    this.origin = origin;
    this.#credentials = credentials;
  }

  /** A second authenticator holding copies of the same private keys and counters: a cloned one. */
  clone(): SoftwareAuthenticator {
    return new SoftwareAuthenticator(this.origin, this.#credentials.map((c) => ({ ...c })));
  }

  /** The last counter a credential reported. */
  counterOf(credentialId: string): number {
    return this.#find(credentialId).counter;
  }

  /** navigator.credentials.create(): a new ES256 credential, attestation 'none'. */
  register(options: CreationOptionsJSON, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cborEncode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, COSE_ES256], // alg
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = randomBytes(32);
    const counter = overrides.counter ?? 0;
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      authenticatorDataHead(rpId, FLAG_USER_PRESENT | (overrides.withoutUserVerification ? 0 : FLAG_USER_VERIFIED) | FLAG_ATTESTED_CREDENTIAL_DATA, counter),
      Buffer.alloc(16), // AAGUID: zeros, as a software or 'none'-attesting authenticator reports
      credentialIdLength,
      id,
      coseKey,
    ]);
    const attestationObject = cborEncode(new Map<string, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]));
    const clientDataJSON = clientData(overrides.type ?? 'webauthn.create', options.challenge, overrides.origin ?? this.origin);
    this.#credentials.push({ id, rpId, userHandle: options.user.id, privateKey, counter });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'], publicKeyAlgorithm: COSE_ES256 },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): an assertion by the given credential (default: the only or first one that
   * `allowCredentials` permits), with the counter one more than its last unless overridden.
   */
  assert(options: RequestOptionsJSON, overrides: CeremonyOverrides & { credentialId?: string } = {}): AuthenticationResponseJSON {
    const allowed = options.allowCredentials?.map((c) => c.id);
    const credential = overrides.credentialId
      ? this.#find(overrides.credentialId)
      : this.#credentials.find((c) => !allowed?.length || allowed.includes(b64url(c.id)));
    if (!credential) throw new Error('this authenticator holds no credential the options allow');
    const rpId = overrides.rpId ?? options.rpId ?? credential.rpId;
    const counter = overrides.counter ?? credential.counter + 1;
    credential.counter = Math.max(credential.counter, counter);
    const authData = authenticatorDataHead(rpId, FLAG_USER_PRESENT | (overrides.withoutUserVerification ? 0 : FLAG_USER_VERIFIED), counter);
    const clientDataJSON = clientData(overrides.type ?? 'webauthn.get', options.challenge, overrides.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: credential.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  #find(credentialId: string): StoredCredential {
    const credential = this.#credentials.find((c) => b64url(c.id) === credentialId);
    if (!credential) throw new Error('unknown credential');
    return credential;
  }
}

function authenticatorDataHead(rpId: string, flags: number, counter: number): Buffer {
  const head = Buffer.alloc(37);
  sha256(rpId).copy(head, 0);
  head[32] = flags;
  head.writeUInt32BE(counter, 33);
  return head;
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** The small part of CBOR (RFC 8949) that attestation objects and COSE keys use: ints, strings, bytes, maps. */
type CborValue = number | string | Uint8Array | Map<number | string, CborValue>;

export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('only integers');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), Buffer.from(value)]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(cborEncode(k), cborEncode(v));
  return Buffer.concat(parts);
}

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}
