/**
 * What happens when the signalling socket drops without our asking (see connection-state.ts):
 *   joined                 → reconnecting: `resume` with the resume token on a fresh socket, on the resume
 *                            policy (for the server's resume grace); a refused token ends it at once
 *                            (reconnecting → left(timeout))
 *   connecting | waiting   → connecting: `join` again (a waiting person's place does not survive a drop),
 *                            on the rejoin policy; giving up ends it (left(connection-failed))
 * One drop is handled at a time. `cancel()` (the meeting is over for us) stops a pending retry at once.
 *
 * A socket that stopped answering while joined is dropped here too, so that the resume starts on a fresh
 * one. Only while joined: the server will say soon enough if a waiting person's socket is dead.
 */
import type { ConnectionInput, ConnectionState } from './connection-state.ts';
import { rejoinPolicy, resumePolicy, type ReconnectPolicy } from './reconnect-policy.ts';
import { SignallingError, type SignallingClient } from './signalling-client.ts';

export interface ReconnectionOptions {
  signalling: SignallingClient;
  /** When to retry (read at each drop); the defaults are resumePolicy() and rejoinPolicy(). */
  policies: () => { resume?: ReconnectPolicy; rejoin?: ReconnectPolicy } | undefined;
  connection: () => ConnectionState;
  /** Feeds the connection state machine; false when the input does not apply now. */
  input: (input: ConnectionInput) => boolean;
  resumeToken: () => string | null;
  /** Sends `join` again (its refusal ends the meeting for us there). */
  sendJoin: () => Promise<void>;
  /** The resume failed for good: the meeting is over for us (the state is already `left`). */
  cleanup: () => void;
  /** Rejoining gave up: the meeting is over for us. */
  finish: (reason: 'connection-failed') => void;
}

export class Reconnection {
  readonly #options: ReconnectionOptions;
  #reconnecting = false;
  /** Aborted when the meeting is over for us: a pending reconnect retry stops at once. */
  readonly #abort = new AbortController();

  constructor(options: ReconnectionOptions) {
    this.#options = options;
    const { signalling, connection } = options;
    signalling.on('close', (info) => {
      if (!info.intentional) void this.#onDrop();
    });
    signalling.on('unresponsive', () => {
      if (connection().name === 'joined') signalling.drop();
    });
  }

  cancel(): void {
    this.#abort.abort();
  }

  async #onDrop(): Promise<void> {
    const { connection, input } = this.#options;
    if (this.#reconnecting || connection().name === 'left') return;
    if (!input({ type: 'socket-dropped' })) return;
    this.#reconnecting = true;
    try {
      if (connection().name === 'reconnecting') await this.#resume();
      else await this.#rejoin();
    } finally {
      this.#reconnecting = false;
    }
  }

  async #resume(): Promise<void> {
    const { signalling, connection, input } = this.#options;
    const policy = this.#options.policies()?.resume ?? resumePolicy();
    const outcome = await policy.run(async () => {
      if (connection().name !== 'reconnecting') return 'stop';
      try {
        await signalling.connect();
        await signalling.request({ type: 'resume', resumeToken: this.#options.resumeToken()! });
        // The reply is `joined` (handled as a message) or `ok`.
        input({ type: 'joined' });
        return 'done';
      } catch (err) {
        signalling.close();
        // The network may come back; a refused token (grace over, meeting ended) will not.
        const transient = !(err instanceof SignallingError) || err.code === 'connect-failed' || err.code === 'closed' || err.code === 'timeout';
        return transient ? 'retry' : 'stop';
      }
    }, this.#abort.signal);
    if (outcome !== 'done' && connection().name === 'reconnecting') {
      input({ type: 'resume-failed' });
      this.#options.cleanup();
    }
  }

  async #rejoin(): Promise<void> {
    const { signalling, connection } = this.#options;
    const policy = this.#options.policies()?.rejoin ?? rejoinPolicy();
    const outcome = await policy.run(async () => {
      if (connection().name !== 'connecting') return 'stop';
      try {
        await signalling.connect();
      } catch {
        return 'retry';
      }
      await this.#options.sendJoin();
      return 'done';
    }, this.#abort.signal);
    if (outcome === 'gave-up') this.#options.finish('connection-failed');
  }
}
