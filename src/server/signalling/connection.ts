/**
 * One browser's WebSocket. It checks each frame (size, JSON, schema, rate), runs
 * the handler for it, and turns the outcome into `ok`/`error` replies. A failing
 * request never takes the connection, the meeting or the server down with it.
 *
 * Connection states: fresh → in-meeting (waiting or joined) → closed, or → cut off → closed when the
 * client stops reading what it is sent (a slow consumer: see outbound-budget.ts).
 */
import type { WebSocket } from 'ws';
import { decodeClientMessage, encodeMessage, MAX_FRAME_BYTES, type ClientMessage, type ClientMessageType, type LeaveReason, type ServerMessage } from '../../protocol/index.ts';
import type { Logger } from '../../log/logger.ts';
import { ProtocolError } from '../errors.ts';
import type { SignedIn } from '../accounts/types.ts';
import type { Meeting } from '../meetings/meeting.ts';
import type { MessageSink, Participant } from '../meetings/participant.ts';
import { RateLimiter } from '../security/rate-limiter.ts';
import { bucketFor } from './rate-limits.ts';
import { overBudget } from './outbound-budget.ts';

/** Above this many refused messages in a row, the connection is closed as abusive. */
const MAX_CONSECUTIVE_REFUSALS = 200;

export interface ConnectionContext {
  address: string;
  log: Logger;
  handle(connection: Connection, message: ClientMessage): Promise<ServerMessage | void>;
  closed(connection: Connection): void;
  /** Told when this connection is cut off as a slow consumer (counted by the operator's metrics). */
  slowConsumer?(): void;
  /** Sees every message just before it is sent (the TURN grant starts on `joined`: src/media/turn/ice-grant.ts). */
  sending?(message: ServerMessage): void;
}

export class Connection implements MessageSink {
  /** The signed-in account of the upgrade request's session cookie, resolved once by app.ts; undefined: none. */
  account: SignedIn | undefined;
  meeting: Meeting | undefined;
  participant: Participant | undefined;
  private readonly limiter = new RateLimiter<ClientMessageType | 'invalid'>(bucketFor);
  private refusals = 0;
  private isClosed = false;
  /** Cut off as a slow consumer: nothing more is queued while the socket goes down. */
  private isCutOff = false;

  constructor(
    private readonly socket: WebSocket,
    readonly context: ConnectionContext,
  ) {
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', () => undefined);
  }

  get address(): string {
    return this.context.address;
  }

  /** Every message to this client goes through here, so the outbound budget holds for all of them. */
  send(message: ServerMessage): void {
    if (this.isClosed || this.isCutOff || this.socket.readyState !== this.socket.OPEN) return;
    this.context.sending?.(message);
    this.socket.send(encodeMessage(message));
    if (overBudget(this.socket.bufferedAmount)) this.cutOff();
  }

  /**
   * The client does not read what it is sent. A close frame would queue behind the backlog it is not
   * reading, so the TCP connection is dropped (the client sees 1006, as for a dropped network). The
   * 'close' event then detaches the participant, who keeps its place for the resume grace.
   */
  private cutOff(): void {
    this.isCutOff = true;
    this.context.slowConsumer?.();
    this.context.log.warn('cutting off a slow consumer', { address: this.address, bufferedBytes: this.socket.bufferedAmount });
    this.socket.terminate();
  }

  /** Called by the meeting when the participant leaves; the socket closes after the last message. */
  close(reason: LeaveReason): void {
    if (this.isClosed) return;
    this.participant = undefined;
    this.meeting = undefined;
    this.socket.close(1000, reason);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.refuse('bad-message', 'binary frames are not part of the protocol');
    if (data.length > MAX_FRAME_BYTES) return this.refuse('too-large', `messages are limited to ${MAX_FRAME_BYTES} bytes`);
    const decoded = decodeClientMessage(data.toString('utf8'));
    if (!decoded.ok) {
      if (!this.limiter.allow('invalid')) return this.refuse('rate-limited', 'too many invalid messages');
      return this.refuse('bad-message', decoded.reason, decoded.requestId);
    }
    const message = decoded.message;
    if (!this.limiter.allow(message.type)) return this.refuse('rate-limited', `too many '${message.type}' messages`, message.id);
    this.refusals = 0;
    void this.run(message);
  }

  private async run(message: ClientMessage): Promise<void> {
    try {
      const reply = await this.context.handle(this, message);
      if (message.id === undefined) return;
      this.send(reply ? { ...reply, id: message.id } : { type: 'ok', id: message.id });
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.send({
          type: 'error',
          code: error.code,
          message: error.message,
          ...(message.id !== undefined ? { id: message.id } : {}),
          ...(error.retryAfterMs !== undefined ? { retryAfterMs: Math.ceil(error.retryAfterMs) } : {}),
        });
        return;
      }
      this.context.log.error('handler failed', { type: message.type, error });
      this.send({ type: 'error', code: 'internal', message: 'internal error', ...(message.id !== undefined ? { id: message.id } : {}) });
    }
  }

  private refuse(code: 'bad-message' | 'too-large' | 'rate-limited', text: string, id?: number): void {
    this.refusals += 1;
    if (this.refusals > MAX_CONSECUTIVE_REFUSALS) {
      this.context.log.warn('closing abusive connection', { address: this.address });
      this.socket.close(1008, 'too many invalid messages');
      return;
    }
    // Refusals of a flood are themselves bounded: past the burst, drop silently.
    if (this.refusals <= 20) this.send({ type: 'error', code, message: text, ...(id !== undefined ? { id } : {}) });
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.context.closed(this);
  }
}
