/**
 * Regression for ts-mls 1.6.4's ratchet-tree check on join (patched in patches/ts-mls+1.6.4.patch):
 * after a removal, adds without an UpdatePath leave different unmerged_leaves lists on a leaf's ancestors,
 * which RFC 9420 allows but 1.6.4 refused with "non-blank intermediate node must list leaf node in its
 * unmerged_leaves".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMlsSuite } from '../../src/e2ee/mls/suite.ts';
import { Meeting, participantId } from './mls-harness.ts';

const suite = await loadMlsSuite();
const ids = Array.from({ length: 8 }, (_, i) => participantId(0x100 + i));

test('after members 1 and 5 of six are removed, X and then Y can join and everyone agrees', async () => {
  const [creator, ...rest] = ids.slice(0, 6) as [string, ...string[]];
  const meeting = await Meeting.start(creator, suite);
  await meeting.change(creator, rest, []);
  const roster = meeting.member(creator).members();
  await meeting.change(creator, [], [roster[1]!, roster[5]!]);
  const x = ids[6]!;
  const y = ids[7]!;
  await meeting.change(creator, [x], []);
  await meeting.change(creator, [y], []); // threw in Y's joinFromWelcome before the patch
  assert.equal(meeting.member(y).phase, 'active');
  await meeting.assertAgreement();
  // The group stays usable: a further removal and admission by another member still work.
  await meeting.change(roster[2]!, [participantId(0x200)], [x]);
  await meeting.assertAgreement();
});

test('the regression also holds when the removals and admissions are interleaved in one commit each', async () => {
  const [creator, ...rest] = ids.slice(0, 6) as [string, ...string[]];
  const meeting = await Meeting.start(creator, suite);
  await meeting.change(creator, rest, []);
  const roster = meeting.member(creator).members();
  await meeting.change(creator, [ids[6]!], [roster[1]!, roster[5]!]);
  await meeting.change(creator, [ids[7]!], []);
  await meeting.change(creator, [participantId(0x300)], []);
  await meeting.assertAgreement();
});
