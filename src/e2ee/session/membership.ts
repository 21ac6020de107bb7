/**
 * Who we are in the meeting's MLS group: our participant id (the server assigns it), our MlsMember (made
 * when first needed, replaced when we start again or resync), and whether the server has its KeyPackage
 * (`mls-key-package`, sent once per member). The media keys are not here: whoever forgets the member drops
 * them too (epoch-keys.ts).
 */
import { MlsMember } from '../mls/index.ts';
import { toBase64 } from './base64.ts';
import { refusalCode } from './server-verdict.ts';
import type { E2eeSessionOptions } from './session-types.ts';

export class Membership {
  readonly #options: Pick<E2eeSessionOptions, 'send' | 'mlsSuite' | 'deviceIdentity'>;
  #self: string | undefined;
  #member: MlsMember | undefined;
  #keyPackageSent = false;

  constructor(options: Pick<E2eeSessionOptions, 'send' | 'mlsSuite' | 'deviceIdentity'>) {
    this.#options = options;
  }

  /** Our participant id, once the server named it. */
  get self(): string | undefined {
    return this.#self;
  }

  /** A new id is a new person to the server: whoever sets one that differs forgets the member first. */
  set self(id: string) {
    this.#self = id;
  }

  get member(): MlsMember | undefined {
    return this.#member;
  }

  /** Our member while it is in the group (active, or with a commit of ours pending): it can commit, seal and open. */
  get inGroup(): MlsMember | undefined {
    const member = this.#member;
    return member !== undefined && (member.phase === 'active' || member.phase === 'pending') ? member : undefined;
  }

  async ensureMember(): Promise<MlsMember> {
    if (this.#member === undefined) {
      if (this.#self === undefined) throw new TypeError('participant id not known yet');
      const suite = this.#options.mlsSuite;
      const deviceIdentity = await this.#options.deviceIdentity?.();
      this.#member = await MlsMember.create(this.#self, { ...(suite ? { suite } : {}), ...(deviceIdentity ? { deviceIdentity } : {}) });
      this.#keyPackageSent = false;
    }
    return this.#member;
  }

  /** Asks to be added: our (fresh) member's KeyPackage, once. */
  async sendKeyPackage(): Promise<void> {
    const member = await this.ensureMember();
    if (member.phase !== 'fresh' || this.#keyPackageSent) return;
    this.#keyPackageSent = true;
    try {
      await this.#options.send({ type: 'mls-key-package', keyPackage: toBase64(member.keyPackageBytes()) });
    } catch (error) {
      // Refused as `invalid-state`: we are already a member (a stale view). Otherwise try again next time.
      if (refusalCode(error) !== 'invalid-state') this.#keyPackageSent = false;
    }
  }

  /** A resync's fresh member (MlsMember.rejoining) takes the old one's place; its KeyPackage is not sent yet. */
  replace(fresh: MlsMember): void {
    this.#member = fresh;
    this.#keyPackageSent = false;
  }

  /** Closes and forgets our member; the next one is made when needed. */
  forget(): void {
    this.#member?.close();
    this.#member = undefined;
    this.#keyPackageSent = false;
  }
}
