/**
 * The WebSocket to the Sabha server. Every incoming frame is checked against the
 * shared protocol schemas before anyone sees it; a frame that fails is dropped and
 * reported (`invalid-message`), never half-used. Every outgoing message is checked
 * too, so a client bug shows up here as a TypeError rather than as a server error.
 *
 * Requests carry an `id`; the first server message with the same id settles the
 * request (an `error` rejects it). Every valid message except a request's `error`
 * is also emitted as `message`, so state handlers do not depend on whether the
 * server echoed the id on, say, `joined` or `publish-answer`.
 */
import { clientMessage, decodeServerMessage, encodeMessage } from '../protocol/index.ts';
import type { ClientMessage, ErrorCode, ServerMessage, ServerMessageOf } from '../protocol/index.ts';
import { Emitter } from '../events/emitter.ts';

/** A client message as callers write it: the request id is the client's business. */
export type OutgoingMessage = ClientMessage extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never;

export type SignallingFailure = ErrorCode | 'closed' | 'timeout' | 'connect-failed';

export class SignallingError extends Error {
  override readonly name = 'SignallingError';
  constructor(
    readonly code: SignallingFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface SignallingCloseInfo {
  code: number;
  /** True when this side called `close()`; false for a drop. */
  intentional: boolean;
}

export interface SignallingEvents {
  open: [];
  message: [message: ServerMessage];
  /** An error reply that no pending request was waiting for. */
  'server-error': [error: ServerMessageOf<'error'>];
  'invalid-message': [reason: string];
  close: [info: SignallingCloseInfo];
  /**
   * A request got no reply in time and nothing else arrived since it was sent: the socket looks open but
   * the path is dead (a network that vanished and came back, with TCP still retrying). The owner may `drop()`.
   */
  unresponsive: [];
}

export interface SignallingOptions {
  /** ws:// or wss:// address of the `/ws` endpoint. */
  url: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Injected in tests; the browser's WebSocket otherwise. */
  webSocket?: typeof WebSocket;
}

interface Pending {
  resolve(message: ServerMessage): void;
  reject(error: SignallingError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The `/ws` address on the page's own origin (the CSP allows `connect-src 'self'` only). */
export function defaultSignallingUrl(location: Location): string {
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

export class SignallingClient extends Emitter<SignallingEvents> {
  readonly #options: Required<Omit<SignallingOptions, 'webSocket'>> & { webSocket: typeof WebSocket };
  readonly #pending = new Map<number, Pending>();
  #socket: WebSocket | null = null;
  #nextId = 1;
  #closing = false;
  /** When the current socket last delivered a frame. */
  #lastFrameAt = 0;

  constructor(options: SignallingOptions) {
    super();
    this.#options = {
      requestTimeoutMs: 15_000,
      connectTimeoutMs: 10_000,
      webSocket: globalThis.WebSocket,
      ...options,
    };
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === 1;
  }

  /** Opens a new socket; a previous one must be closed (or dropped) first. */
  connect(): Promise<void> {
    if (this.#socket && this.#socket.readyState <= 1) return Promise.reject(new Error('already connected'));
    this.#closing = false;
    const socket = new this.#options.webSocket(this.#options.url);
    this.#socket = socket;
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      const timer = setTimeout(() => {
        if (!opened) socket.close();
      }, this.#options.connectTimeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
        this.emit('open');
      };
      socket.onmessage = (event) => this.#onFrame(event.data);
      socket.onclose = (event) => {
        clearTimeout(timer);
        if (!opened) reject(new SignallingError('connect-failed', 'could not connect'));
        // A socket given up on (`close` or `drop`) and already replaced by a newer one: its late close
        // concerns nobody; its requests were rejected when it was given up.
        if (this.#socket !== socket) return;
        this.#socket = null;
        this.#rejectAll(new SignallingError('closed', 'connection closed'));
        if (opened) this.emit('close', { code: event.code, intentional: this.#closing });
      };
      // An error is always followed by close; handling it there keeps one path.
      socket.onerror = () => {};
    });
  }

  /** Fire and forget. Throws TypeError for a message the protocol does not allow. */
  send(message: OutgoingMessage): void {
    this.#write(message as ClientMessage);
  }

  /** Sends with a fresh id and settles on the first reply carrying it. */
  request(message: OutgoingMessage, timeoutMs = this.#options.requestTimeoutMs): Promise<ServerMessage> {
    const id = this.#nextId++;
    const full = { ...message, id } as ClientMessage;
    return new Promise<ServerMessage>((resolve, reject) => {
      if (!this.isOpen) {
        reject(new SignallingError('closed', 'not connected'));
        return;
      }
      const sentAt = Date.now();
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SignallingError('timeout', `no reply to '${message.type}'`));
        if (this.isOpen && this.#lastFrameAt < sentAt) this.emit('unresponsive');
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#write(full);
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err);
      }
    });
  }

  /** Idempotent. Pending requests are rejected with `closed`. */
  close(code = 1000): void {
    this.#closing = true;
    const socket = this.#socket;
    if (socket && socket.readyState <= 1) socket.close(code);
    this.#rejectAll(new SignallingError('closed', 'connection closed'));
  }

  /**
   * Gives up on the current socket as if the network had dropped it: pending requests are rejected and
   * `close` is emitted at once with `intentional: false`, without waiting for a closing handshake that a
   * dead path would never complete.
   */
  drop(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState > 1) return;
    this.#socket = null;
    socket.onmessage = null;
    socket.close(4000);
    this.#rejectAll(new SignallingError('closed', 'connection dropped'));
    this.emit('close', { code: 1006, intentional: false });
  }

  #write(message: ClientMessage): void {
    const checked = clientMessage.safeParse(message);
    if (!checked.success) throw new TypeError(`invalid outgoing '${message.type}' message`);
    if (!this.isOpen) throw new SignallingError('closed', 'not connected');
    this.#socket!.send(encodeMessage(checked.data));
  }

  #onFrame(data: unknown): void {
    this.#lastFrameAt = Date.now();
    if (typeof data !== 'string') {
      this.emit('invalid-message', 'binary frame');
      return;
    }
    const decoded = decodeServerMessage(data);
    if (!decoded.ok) {
      // A malformed reply still settles its request, so the caller does not hang.
      if (decoded.requestId !== undefined) this.#settle(decoded.requestId, null);
      this.emit('invalid-message', decoded.reason);
      return;
    }
    const message = decoded.message;
    if (message.id !== undefined && this.#settle(message.id, message)) {
      if (message.type === 'error') return;
    } else if (message.type === 'error') {
      this.emit('server-error', message);
      return;
    }
    if (message.type !== 'ok') this.emit('message', message);
  }

  /** Settles the pending request `id`; returns whether there was one. */
  #settle(id: number, message: ServerMessage | null): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (message === null) pending.reject(new SignallingError('bad-message', 'invalid reply'));
    else if (message.type === 'error') pending.reject(new SignallingError(message.code, message.message, message.retryAfterMs));
    else pending.resolve(message);
    return true;
  }

  #rejectAll(error: SignallingError): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.#pending.delete(id);
    }
  }
}
