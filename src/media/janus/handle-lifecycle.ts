/**
 * The one way a Janus plugin handle of the adapter (a publisher's, a subscriber's) ends.
 *
 *   open ──close()──▶ closed   we asked: detach it (which leaves the room in Janus); once, however
 *                              often close() is called (later calls get the same promise)
 *   open ──lose(r)──▶ closed   it is gone without a request of ours: Janus detached or hung it up for
 *                              good, its room was destroyed, or the link to Janus was lost (the session
 *                              and its handles die with it); no request is sent
 *
 * Either way `ended` runs exactly once, first, with how it ended, so that the owner forgets the
 * handle before anything else can use it; the handle's listeners are removed at the end. A closed
 * handle refuses every request (`assertOpen`).
 */
import Janode from 'janode';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import type { JanusLink } from './link.ts';

export type HandleEnd = { how: 'closed' } | { how: 'lost'; reason: string };

export class HandleLifecycle {
  #open = true;
  #closing: Promise<void> | null = null;
  readonly #handle: VideoRoomHandle;
  readonly #link: JanusLink;
  readonly #what: string;
  readonly #ended: (end: HandleEnd) => void;

  constructor(options: { handle: VideoRoomHandle; link: JanusLink; what: string; ended: (end: HandleEnd) => void }) {
    this.#handle = options.handle;
    this.#link = options.link;
    this.#what = options.what;
    this.#ended = options.ended;
    this.#handle.once(Janode.EVENT.HANDLE_DETACHED, () => this.lose('detached'));
  }

  get open(): boolean {
    return this.#open;
  }

  assertOpen(): void {
    if (!this.#open) throw new Error(`${this.#what} is closed`);
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (!this.#open) return Promise.resolve();
    this.#open = false;
    this.#ended({ how: 'closed' });
    this.#closing = this.#link
      .request(this.#handle.detach(), 'detach')
      .then(() => undefined, () => undefined) // a handle Janus no longer knows is detached all the same
      .finally(() => this.#handle.removeAllListeners());
    return this.#closing;
  }

  /** Returns false if it had already ended. */
  lose(reason: string): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.#handle.removeAllListeners();
    this.#ended({ how: 'lost', reason });
    return true;
  }
}
