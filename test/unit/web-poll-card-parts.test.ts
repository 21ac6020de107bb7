/**
 * What a poll's card offers (src/web/meeting/poll-card-parts.ts): the poll's owner may answer their own open poll
 * like anyone else, and the SDK counts that answer in the owner's tally; a closed poll shows the answer given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Polls } from '../../src/client/polls.ts';
import { pollCardParts } from '../../src/web/meeting/poll-card-parts.ts';

const HOST = 'aaaaaaaaaaaaaaaa';

describe('a poll card', () => {
  it('offers the host the answer form on their own open poll, and counts that answer in their tally', async () => {
    const sent: unknown[] = [];
    const polls = new Polls({ send: async (poll) => void sent.push(poll), selfId: () => HOST, roleOf: () => 'host', nameOf: () => 'Asha' });
    const id = await polls.open({ question: 'Lunch?', options: ['Yes', 'No'], multiple: false, anonymous: false });
    const open = polls.get(id)!;
    assert.deepEqual(pollCardParts(open), { answerForm: true, myAnswer: false, ownerTally: true }, 'the owner answers and sees the live count');
    await polls.answer(id, [1]);
    const answered = polls.get(id)!;
    assert.deepEqual(answered.tally?.counts, [0, 1], 'the host’s own answer is counted');
    assert.deepEqual(answered.tally?.names?.[1], ['Asha']);
    assert.equal(pollCardParts(answered).answerForm, true, 'the answer may still be changed');
    await polls.close(id);
    assert.deepEqual(pollCardParts(polls.get(id)!), { answerForm: false, myAnswer: true, ownerTally: true }, 'closed: the answer given is shown beside the final count');
  });

  it('offers a participant the form while open and their answer once closed, never the owner’s count', () => {
    const base = { own: false, tally: null } as const;
    assert.deepEqual(pollCardParts({ ...base, state: 'open', myChoices: null }), { answerForm: true, myAnswer: false, ownerTally: false });
    assert.deepEqual(pollCardParts({ ...base, state: 'closed', myChoices: [0] }), { answerForm: false, myAnswer: true, ownerTally: false });
    assert.deepEqual(pollCardParts({ ...base, state: 'closed', myChoices: null }), { answerForm: false, myAnswer: false, ownerTally: false });
  });
});
