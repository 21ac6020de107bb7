/**
 * The synthetic participant's signalling: one WebSocket to Sabha's /ws, every message checked against the
 * shared protocol schemas in both directions, requests matched to their replies by id. `request` resolves with
 * the reply and rejects with an error carrying the server's `code`, which is what E2eeSession's `send` needs.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { clientMessage, decodeServerMessage, type ClientMessage, type ServerMessage } from '../../../src/protocol/index.ts';

export class SignallingError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface SignallingEvents {
  message: [message: ServerMessage];
  close: [code: number];
}

export class SignallingLink extends EventEmitter<SignallingEvents> {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;
  #closed = false;
  /** Bytes received, for the downlink of signalling at scale. */
  bytesReceived = 0;
  /** Server messages that failed the protocol schema: a test asserts there are none. */
  invalidMessages = 0;
  readonly #counts = new Map<string, number>();

  private constructor(socket: WebSocket) {
    super();
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      this.bytesReceived += data.length;
      const decoded = decodeServerMessage(data.toString('utf8'));
      if (!decoded.ok) {
        this.invalidMessages++;
        return;
      }
      const message = decoded.message;
      this.#counts.set(message.type, (this.#counts.get(message.type) ?? 0) + 1);
      const id = 'id' in message ? message.id : undefined;
      const waiter = id === undefined ? undefined : this.#pending.get(id);
      if (waiter !== undefined) {
        this.#pending.delete(id!);
        clearTimeout(waiter.timer);
        if (message.type === 'error') waiter.reject(new SignallingError(message.code, message.message));
        else waiter.resolve(message);
        return;
      }
      this.emit('message', message);
    });
    socket.on('close', (code) => {
      this.#closed = true;
      for (const [, w] of this.#pending) {
        clearTimeout(w.timer);
        w.reject(new Error('connection closed'));
      }
      this.#pending.clear();
      this.emit('close', code);
    });
    socket.on('error', () => undefined);
  }

  /** Connects as a browser on the server's own page would: with an Origin of the server's host. */
  static async connect(wsUrl: string): Promise<SignallingLink> {
    const url = new URL(wsUrl);
    const origin = `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
    const socket = new WebSocket(wsUrl, { headers: { Origin: origin }, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new SignallingLink(socket);
  }

  /** How many messages of this type arrived so far. */
  received(type: ServerMessage['type']): number {
    return this.#counts.get(type) ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends with a fresh id; the reply (`ok` or a typed one) resolves, `error` rejects with its code. */
  request(message: ClientMessage, timeoutMs = 30_000): Promise<ServerMessage> {
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    const id = this.#nextId++;
    const checked = clientMessage.parse({ ...message, id });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no reply to ${checked.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#socket.send(JSON.stringify(checked));
    });
  }

  /** Sends without an id: no reply is expected. */
  send(message: ClientMessage): void {
    if (this.#closed) return;
    this.#socket.send(JSON.stringify(clientMessage.parse(message)));
  }

  close(): void {
    if (!this.#closed) this.#socket.close();
  }
}
