/**
 * The delivery service says when every connected member holds an epoch's keys, so that senders switch to
 * them at once rather than after the fallback delay; and a member that is away never holds the others up.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlsDelivery } from '../../src/server/meetings/mls-delivery.ts';
import type { Participant } from '../../src/server/meetings/participant.ts';

const person = (id: string) => ({ id }) as Participant;
const commit = (epoch: number) => ({ epoch, commit: 'AAAA', welcome: 'AAAA' });

function groupOf(ids: string[]): MlsDelivery {
  const mls = new MlsDelivery();
  mls.groupCreated(person(ids[0]!));
  mls.acceptCommit(person(ids[0]!), commit(0), ids.slice(1), [], () => true);
  return mls;
}

describe('epoch readiness', () => {
  it('is announced once, when the last live member acknowledges the current epoch', () => {
    const mls = groupOf(['a', 'b', 'c']);
    const live = () => true;
    mls.ack('a', 1);
    mls.ack('b', 1);
    assert.equal(mls.readyEpoch(live), undefined, 'c has not said it holds the keys');
    mls.ack('c', 0);
    assert.equal(mls.readyEpoch(live), undefined, 'an acknowledgement of another epoch does not count');
    mls.ack('c', 1);
    assert.equal(mls.readyEpoch(live), 1);
    assert.equal(mls.readyEpoch(live), undefined, 'said once per epoch');
  });

  it('does not wait for a member that left or lost its connection, nor count a stranger', () => {
    const mls = groupOf(['a', 'b', 'c']);
    mls.ack('a', 1);
    mls.ack('x', 1);
    mls.ack('b', 1);
    assert.equal(mls.readyEpoch((id) => id !== 'c'), 1, 'c is away');
    mls.participantGone('b');
    mls.acceptCommit(person('a'), { epoch: 1, commit: 'AAAA' }, [], ['b'], () => false);
    mls.ack('a', 2);
    assert.equal(mls.readyEpoch(() => true), undefined, 'a new epoch needs new acknowledgements');
    mls.participantGone('c');
    assert.equal(mls.readyEpoch(() => true), 2, 'c left: only a is left to hold the keys');
  });
});
