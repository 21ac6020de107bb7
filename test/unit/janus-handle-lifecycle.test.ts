/**
 * The one close/lost lifecycle of the Janus adapter's handles (src/media/janus/handle-lifecycle.ts): closed by
 * us (one detach, however often asked) or lost (no request), ended exactly once, closed handles refuse requests.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import Janode from 'janode';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import { HandleLifecycle, type HandleEnd } from '../../src/media/janus/handle-lifecycle.ts';
import type { JanusLink } from '../../src/media/janus/link.ts';

function fixture() {
  const handle = new EventEmitter() as EventEmitter & { detaches: number; detach(): Promise<void> };
  handle.detaches = 0;
  handle.detach = async () => {
    handle.detaches++;
    // Janus confirms a detach with a `detached` event, as it does for one it decides on itself.
    handle.emit(Janode.EVENT.HANDLE_DETACHED);
  };
  const link = { request: <T>(p: Promise<T>) => p } as unknown as JanusLink;
  const ends: HandleEnd[] = [];
  const lifecycle = new HandleLifecycle({ handle: handle as unknown as VideoRoomHandle, link, what: 'publisher', ended: (end) => ends.push(end) });
  return { handle, lifecycle, ends };
}

describe('a Janus handle lifecycle', () => {
  it('detaches once when closed twice, ends once as closed, and refuses requests after', async () => {
    const { handle, lifecycle, ends } = fixture();
    handle.on('anything', () => undefined);
    await Promise.all([lifecycle.close(), lifecycle.close()]);
    await lifecycle.close();
    assert.equal(handle.detaches, 1);
    assert.deepEqual(ends, [{ how: 'closed' }]);
    assert.equal(handle.listenerCount('anything'), 0, 'its listeners are removed');
    assert.throws(() => lifecycle.assertOpen(), /publisher is closed/);
  });

  it('ends once as lost with the reason when Janus detaches it, and closing it afterwards sends nothing', async () => {
    const { handle, lifecycle, ends } = fixture();
    handle.emit(Janode.EVENT.HANDLE_DETACHED);
    assert.equal(lifecycle.lose('media engine down'), false, 'already ended');
    await lifecycle.close();
    assert.equal(handle.detaches, 0);
    assert.deepEqual(ends, [{ how: 'lost', reason: 'detached' }]);
    assert.equal(lifecycle.open, false);
  });

  it('is lost without any request when the engine loses its link', async () => {
    const { handle, lifecycle, ends } = fixture();
    assert.equal(lifecycle.lose('media engine down'), true);
    await lifecycle.close();
    assert.equal(handle.detaches, 0);
    assert.deepEqual(ends, [{ how: 'lost', reason: 'media engine down' }]);
  });
});
