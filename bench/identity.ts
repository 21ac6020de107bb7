/**
 * The cost of device identity (src/e2ee/identity): joining a group whose every leaf carries a bound
 * credential, with Sabha's authentication service (binding checked per leaf) beside ts-mls's accept-all
 * service on the same Welcome in the same run; one binding check beside one leaf-signature check; a person
 * code (PBKDF2); making an identity key.
 * `npm run bench -- --only identity`, or alone: `node --import tsx bench/identity.ts`.
 */
import { createCommit, createGroup, defaultAuthenticationService, emptyPskIndex, generateKeyPackageWithKey, joinGroup, type Capabilities, type ClientConfig } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { bindIdentity, decodeBoundIdentity, verifyBinding } from '../src/e2ee/identity/binding.ts';
import { ephemeralDeviceIdentity } from '../src/e2ee/identity/device-identity.ts';
import { personCode } from '../src/e2ee/identity/person-code.ts';
import { participantAuthService } from '../src/e2ee/mls/identity.ts';
import { SABHA_CIPHERSUITE, loadMlsSuite } from '../src/e2ee/mls/suite.ts';
import { median, participantIdOf, timed } from './measure.ts';

const capabilities: Capabilities = { versions: ['mls10'], ciphersuites: [SABHA_CIPHERSUITE], extensions: [], proposals: [], credentials: ['basic'] };

export async function benchIdentity(): Promise<void> {
  const suite = await loadMlsSuite();
  const cs = suite.impl;
  const device = await ephemeralDeviceIdentity();
  const now = BigInt(Math.floor(Date.now() / 1000));
  const keyPackage = async (n: number) => {
    const keys = await cs.signature.keygen();
    const credential = { credentialType: 'basic' as const, identity: await bindIdentity(participantIdOf(n), keys.publicKey, device) };
    return generateKeyPackageWithKey(credential, capabilities, { notBefore: now - 60n, notAfter: now + 3600n }, [], keys, cs);
  };

  for (const members of [100, 1000]) {
    const creator = await keyPackage(1);
    const state = await createGroup(new TextEncoder().encode('bench-identity'), creator.publicPackage, creator.privatePackage, [], cs);
    const others = await Promise.all(Array.from({ length: members - 2 }, (_, i) => keyPackage(2 + i)));
    const joiner = await keyPackage(members + 1);
    const commit = await createCommit(
      { state, cipherSuite: cs },
      { extraProposals: [...others, joiner].map((k) => ({ proposalType: 'add' as const, add: { keyPackage: k.publicPackage } })), ratchetTreeExtension: true },
    );
    const config = (authService: ClientConfig['authService']): ClientConfig => ({ ...defaultClientConfig, authService });
    const join = (authService: ClientConfig['authService']) =>
      timed(() => joinGroup(commit.welcome!, joiner.publicPackage, joiner.privatePackage, emptyPskIndex, cs, undefined, undefined, config(authService)));
    const baseline: number[] = [];
    const bound: number[] = [];
    // Alternating which goes first, so that warm-up and the machine's load fall on both alike.
    for (let r = 0; r < 5; r++) {
      if (r % 2 === 0) baseline.push((await join(defaultAuthenticationService))[1]);
      bound.push((await join(participantAuthService()))[1]);
      if (r % 2 === 1) baseline.push((await join(defaultAuthenticationService))[1]);
    }
    console.log(`join at ${members} members (ms, median of 5): accept-all ${median(baseline).toFixed(0)}  bindings checked ${median(bound).toFixed(0)}`);
  }

  const keys = await Promise.all(Array.from({ length: 200 }, () => cs.signature.keygen()));
  const bindings = await Promise.all(keys.map((k, i) => bindIdentity(participantIdOf(i), k.publicKey, device)));
  const message = new Uint8Array(200);
  const signatures = await Promise.all(keys.map((k) => cs.signature.sign(k.signKey, message)));
  const [, leafChecks] = await timed(async () => {
    for (let i = 0; i < keys.length; i++) await cs.signature.verify(keys[i]!.publicKey, message, signatures[i]!);
  });
  const [, bindingChecks] = await timed(async () => {
    for (let i = 0; i < keys.length; i++) await verifyBinding(decodeBoundIdentity(bindings[i]!)!, keys[i]!.publicKey);
  });
  console.log(`per leaf (µs): leaf signature check (baseline) ${((leafChecks / keys.length) * 1000).toFixed(0)}  binding check ${((bindingChecks / keys.length) * 1000).toFixed(0)}`);

  const other = await ephemeralDeviceIdentity();
  const codes: number[] = [];
  for (let r = 0; r < 5; r++) codes.push((await timed(() => personCode(device.publicKey, other.publicKey)))[1]);
  const [, keygen] = await timed(async () => {
    for (let i = 0; i < 100; i++) await ephemeralDeviceIdentity();
  });
  console.log(`person code (PBKDF2, 100000 iterations): ${median(codes).toFixed(1)} ms; identity key: ${((keygen / 100) * 1000).toFixed(0)} µs`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIdentity();
