/**
 * The client's side of an SFU restart (src/client/media/media-recovery.ts): drop the media connections on
 * `reconnecting`, redo them on `restored`, and say media flows again only once it does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaRecovery, type MediaRecoveryState } from '../../src/client/media/media-recovery.ts';

function fixture() {
  const calls: string[] = [];
  let flowing = false;
  const recovery = new MediaRecovery({
    dropMedia: () => calls.push('drop'),
    restartMedia: () => calls.push('restart'),
    mediaFlowing: () => flowing,
  });
  const states: MediaRecoveryState[] = [];
  recovery.on('state', (s) => states.push(s));
  return { recovery, calls, states, setFlowing: (v: boolean) => (flowing = v) };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('media recovery in the client', () => {
  it('drops media on reconnecting, redoes it on restored, and is flowing only once media flows', async () => {
    const { recovery, calls, states, setFlowing } = fixture();
    recovery.handle({ type: 'media-status', state: 'reconnecting' });
    recovery.handle({ type: 'media-status', state: 'reconnecting' });
    assert.deepEqual(calls, ['drop'], 'dropped once');
    recovery.handle({ type: 'media-status', state: 'restored' });
    assert.deepEqual(calls, ['drop', 'restart']);
    await tick(600);
    assert.equal(recovery.state, 'restoring', 'not flowing until media does');
    setFlowing(true);
    await tick(400);
    assert.deepEqual(states, ['reconnecting', 'restoring', 'flowing']);
    recovery.dispose();
  });

  it('drops and redoes media on a restored whose reconnecting it missed (a socket drop)', () => {
    const { recovery, calls } = fixture();
    recovery.handle({ type: 'media-status', state: 'restored' });
    assert.deepEqual(calls, ['drop', 'restart']);
    recovery.dispose();
  });
});
