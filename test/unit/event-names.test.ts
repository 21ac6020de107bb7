/**
 * Event names are checked by the compiler: `npm test` type-checks this file, and each `@ts-expect-error`
 * below fails the type-check if the line it marks ever compiles. At run time: a throwing listener does not
 * stop the others.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Emitter } from '../../src/events/emitter.ts';
import type { RoomEvents } from '../../src/client/room.ts';
import type { E2eeSessionEvents } from '../../src/e2ee/session/index.ts';

type Events = { ready: [code: string]; gone: [] };

class Thing extends Emitter<Events> {
  fire(): void {
    this.emit('ready', 'x');
    // @ts-expect-error an event that is not in the map
    this.emit('redy', 'x');
    // @ts-expect-error the wrong arguments
    this.emit('gone', 1);
  }
}

describe('the one emitter', () => {
  it('checks event names and arguments at compile time, for the SDK and the E2EE session too', () => {
    const t = new Thing();
    // @ts-expect-error listening to an event that is not in the map
    t.on('redy', () => {});
    const roomEvent: keyof RoomEvents = 'tracks';
    // @ts-expect-error the Room has no such event
    const badRoomEvent: keyof RoomEvents = 'trakcs';
    const sessionEvent: keyof E2eeSessionEvents = 'epoch';
    // @ts-expect-error the session has no such event
    const badSessionEvent: keyof E2eeSessionEvents = 'epoc';
    assert.ok(roomEvent && badRoomEvent && sessionEvent && badSessionEvent);
  });

  it('goes on to the next listener when one throws', () => {
    const t = new Thing();
    const seen: string[] = [];
    const error = console.error;
    console.error = () => {};
    try {
      t.on('ready', () => {
        throw new Error('a listener bug');
      });
      t.on('ready', (code) => seen.push(code));
      t.fire();
    } finally {
      console.error = error;
    }
    assert.deepEqual(seen, ['x'], 'the second listener still ran');
  });
});
