/**
 * One live connection to the Janus API: a janode connection, one Janus session, and
 * a VideoRoom handle for room management. A link is never reconnected: when anything
 * in it breaks, `lost` fires once, every request still pending on it is rejected
 * (janode closes its transactions), and the engine makes a new link.
 */
import { EventEmitter } from 'node:events';
import Janode, { type Connection, type Session } from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';

export interface JanusLinkEvents {
  lost: [reason: string];
}

export class JanusLink extends EventEmitter<JanusLinkEvents> {
  private isLost = false;
  private closing = false;

  private constructor(
    private readonly connection: Connection,
    readonly session: Session,
    readonly admin: VideoRoomHandle,
    readonly requestTimeoutMs: number,
  ) {
    super();
    connection.once(Janode.EVENT.CONNECTION_ERROR, () => this.markLost('connection to Janus lost'));
    connection.once(Janode.EVENT.CONNECTION_CLOSED, () => this.markLost('connection to Janus closed'));
    session.once(Janode.EVENT.SESSION_DESTROYED, () => this.markLost('Janus session destroyed'));
    admin.once(Janode.EVENT.HANDLE_DETACHED, () => this.markLost('Janus management handle detached'));
  }

  static async open(url: string, apiSecret: string, requestTimeoutMs: number): Promise<JanusLink> {
    // max_retries 0: the engine owns retrying, with its own backoff and its own view of Janus's state.
    const connection = await Janode.connect({ address: { url, apisecret: apiSecret }, max_retries: 0, retry_time_secs: 1 });
    try {
      const session = await withTimeout(connection.create(15), requestTimeoutMs, 'create session');
      const admin = await withTimeout(session.attach(VideoRoomPlugin), requestTimeoutMs, 'attach');
      return new JanusLink(connection, session, admin, requestTimeoutMs);
    } catch (err) {
      await connection.close().catch(() => {});
      throw err;
    }
  }

  get lost(): boolean {
    return this.isLost;
  }

  async attachVideoRoom(): Promise<VideoRoomHandle> {
    if (this.isLost) throw new Error('Janus link is down');
    return this.request(this.session.attach(VideoRoomPlugin), 'attach');
  }

  /** A Janus request that may not hang forever: janode itself waits until the connection drops. */
  request<T>(promise: Promise<T>, what: string): Promise<T> {
    return withTimeout(promise, this.requestTimeoutMs, what);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.markLost('closed');
    await this.session.destroy().catch(() => {});
    await this.connection.close().catch(() => {});
  }

  private markLost(reason: string): void {
    if (this.isLost) return;
    this.isLost = true;
    this.emit('lost', reason);
  }
}

export class JanusTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`Janus did not answer ${what} within ${ms} ms`);
    this.name = 'JanusTimeoutError';
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JanusTimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
