/**
 * Hands the TURN relay to one signalling connection's participant, and only while it is admitted.
 *
 * It follows what the participant itself is told: the first `joined` it is sent (an admission, a host's
 * entry, or a resume) starts the grant, and an `ice-servers` message goes out just before that `joined`,
 * so the browser has the relay before it makes any peer connection. A fresh credential follows at half of
 * its lifetime while the grant runs. A `left` (other than `replaced`, where the same person goes on over a
 * new connection) or the connection's end stops it; a `left` also cancels the participant's relay allocations
 * (coturn's CLI). Waiting-room and pre-join connections never get one.
 *
 * States: idle → granted → stopped (terminal). Inputs: sending(message), closed().
 */
import type { ServerMessage } from '../../protocol/index.ts';
import { newCredentialReference } from './credentials.ts';
import type { TurnRelay } from './turn-relay.ts';

export class IceGrant {
  private state: 'idle' | 'granted' | 'stopped' = 'idle';
  private timer: NodeJS.Timeout | undefined;
  /** Random per grant: the TURN server's logs can link a participant's allocations to each other, not to a person. */
  private readonly reference = newCredentialReference();

  constructor(
    private readonly relay: TurnRelay,
    /** The host name the browser used to reach Sabha (its Host header), for the TURN URLs. */
    private readonly requestHost: string | null,
    private readonly send: (message: ServerMessage) => void,
  ) {}

  /** Called with every message before it goes to the client. */
  sending(message: ServerMessage): void {
    if (message.type === 'joined' && this.state === 'idle') {
      this.state = 'granted';
      this.issue();
    } else if (message.type === 'left' && message.reason !== 'replaced') {
      this.stop(true);
    }
  }

  closed(): void {
    this.stop();
  }

  private issue(): void {
    if (this.state !== 'granted') return;
    const grant = this.relay.grant(this.requestHost, this.reference);
    if (!grant) return;
    this.send({ type: 'ice-servers', iceServers: grant.iceServers, expiresAt: grant.expiresAt });
    this.timer = setTimeout(() => this.issue(), (this.relay.credentialTtlSeconds * 1000) / 2);
    this.timer.unref();
  }

  private stop(revoke = false): void {
    const wasGranted = this.state === 'granted';
    this.state = 'stopped';
    clearTimeout(this.timer);
    // Whatever the participant still holds on the relay ends with it (a dropped connection may resume: kept).
    if (revoke && wasGranted) void this.relay.revoke(this.reference);
  }
}
