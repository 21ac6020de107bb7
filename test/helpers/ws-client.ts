/**
 * A raw WebSocket client that speaks the protocol the way an attacker would: it
 * sends whatever it is given, validates what comes back with the shared schema,
 * and lets a test wait for a message of a kind.
 */
import WebSocket from 'ws';
import { decodeServerMessage, type ClientMessage, type ServerMessage, type ServerMessageOf, type ServerMessageType } from '../../src/protocol/index.ts';

export class RawClient {
  readonly received: ServerMessage[] = [];
  readonly invalid: string[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private nextId = 1;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const decoded = decodeServerMessage(data.toString());
      if (!decoded.ok) {
        this.invalid.push(data.toString());
        return;
      }
      this.received.push(decoded.message);
      for (const w of [...this.waiters]) {
        if (w.match(decoded.message)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(decoded.message);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve((this.closeCode = code))));
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return new RawClient(socket);
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends with a fresh request id and resolves with the reply (`ok`, `error` or a typed answer). */
  async request(message: Omit<ClientMessage, 'id'> | Record<string, unknown>, timeoutMs = 5000): Promise<ServerMessage> {
    const id = this.nextId++;
    const reply = this.next((m) => 'id' in m && m.id === id, timeoutMs, `reply to ${String((message as { type?: unknown }).type)}`);
    this.send({ ...message, id });
    return reply;
  }

  next(match: (m: ServerMessage) => boolean, timeoutMs = 5000, what = 'message'): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const done = (m: ServerMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** The next message of a type that arrives from now on. */
  nextOf<T extends ServerMessageType>(type: T, timeoutMs = 5000): Promise<ServerMessageOf<T>> {
    return this.next((m) => m.type === type, timeoutMs, type) as Promise<ServerMessageOf<T>>;
  }

  /** The latest message of a type received so far, or one arriving next. */
  async latestOf<T extends ServerMessageType>(type: T, timeoutMs = 5000): Promise<ServerMessageOf<T>> {
    const seen = this.received.filter((m) => m.type === type).at(-1);
    return (seen as ServerMessageOf<T> | undefined) ?? this.nextOf(type, timeoutMs);
  }

  countOf(type: ServerMessageType): number {
    return this.received.filter((m) => m.type === type).length;
  }

  close(): void {
    this.socket.close();
  }
}

/** Lets in-flight messages arrive before a test checks that something did NOT happen. */
export const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

export const randomDeviceId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

/** An error's code, or the message type for anything that is not an error: one value to compare in attack tests. */
export const errorCode = (m: ServerMessage): string => (m.type === 'error' ? m.code : m.type);
