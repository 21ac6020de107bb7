/**
 * A small TURN client over UDP: enough to allocate a relay with a credential, ask for a permission to a
 * peer, and see the TURN server's answer (success or an error code). The supervisor's readiness check uses
 * it (a turnserver is ready when it accepts Sabha's credentials), and so do the relay-policy tests.
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  decodeStun, encodeStun, errorCodeOf, getAttr, longTermKey, newTransactionId, readXorAddress, StunAttr, StunClass, StunMethod,
  TRANSPORT_UDP, xorAddress, type StunMessage,
} from './stun.ts';

export interface TurnAnswer {
  ok: boolean;
  /** STUN error code (401, 403, 437, ...) when not ok. */
  code: number | undefined;
  message: StunMessage;
}

export class TurnClient {
  private readonly socket: Socket = createSocket('udp4');
  private realm = '';
  private nonce = Buffer.alloc(0);
  relayed: { address: string; port: number } | undefined;

  constructor(
    private readonly server: { address: string; port: number },
    private readonly username: string,
    private readonly password: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.socket.on('error', () => undefined); // ICMP port unreachable while the server starts: a timeout follows
  }

  private key(): Buffer {
    return longTermKey(this.username, this.realm, this.password);
  }

  private request(method: number, attributes: StunMessage['attributes'], authenticated: boolean): Promise<StunMessage> {
    const transactionId = newTransactionId();
    const attrs = authenticated
      ? [...attributes, { type: StunAttr.username, value: Buffer.from(this.username) }, { type: StunAttr.realm, value: Buffer.from(this.realm) }, { type: StunAttr.nonce, value: this.nonce }]
      : attributes;
    const data = encodeStun({ method, cls: StunClass.request, transactionId, attributes: attrs }, authenticated ? this.key() : undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', onMessage);
        reject(new Error('no answer from the TURN server'));
      }, this.options.timeoutMs ?? 3000);
      const onMessage = (buf: Buffer) => {
        const m = decodeStun(buf);
        if (!m || !m.transactionId.equals(transactionId)) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(m);
      };
      this.socket.on('message', onMessage);
      this.socket.send(data, this.server.port, this.server.address);
    });
  }

  /** A request with the long-term credential; on the first 401 (or a stale nonce, 438) it learns realm and nonce and retries. */
  private async authenticated(method: number, attributes: StunMessage['attributes']): Promise<TurnAnswer> {
    let m = await this.request(method, attributes, this.realm !== '');
    for (let i = 0; i < 2 && m.cls === StunClass.error && (errorCodeOf(m) === 401 || errorCodeOf(m) === 438) && getAttr(m, StunAttr.nonce); i++) {
      const realm = getAttr(m, StunAttr.realm)?.toString() ?? this.realm;
      const nonce = getAttr(m, StunAttr.nonce)!;
      const alreadyTried = this.realm === realm && errorCodeOf(m) === 401 && this.nonce.equals(nonce);
      this.realm = realm;
      this.nonce = Buffer.from(nonce);
      if (alreadyTried) break;
      m = await this.request(method, attributes, true);
    }
    return { ok: m.cls === StunClass.success, code: errorCodeOf(m), message: m };
  }

  async allocate(): Promise<TurnAnswer> {
    const transport = Buffer.from([TRANSPORT_UDP, 0, 0, 0]);
    const answer = await this.authenticated(StunMethod.allocate, [{ type: StunAttr.requestedTransport, value: transport }]);
    const relayed = answer.ok ? getAttr(answer.message, StunAttr.xorRelayedAddress) : undefined;
    if (relayed) this.relayed = readXorAddress(relayed);
    return answer;
  }

  createPermission(peer: { address: string; port: number }): Promise<TurnAnswer> {
    return this.authenticated(StunMethod.createPermission, [{ type: StunAttr.xorPeerAddress, value: xorAddress(peer.address, peer.port) }]);
  }

  refresh(lifetimeSeconds: number): Promise<TurnAnswer> {
    const lifetime = Buffer.alloc(4);
    lifetime.writeUInt32BE(lifetimeSeconds, 0);
    return this.authenticated(StunMethod.refresh, [{ type: StunAttr.lifetime, value: lifetime }]);
  }

  close(): void {
    this.socket.close();
  }
}
