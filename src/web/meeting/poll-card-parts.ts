/**
 * What a poll's card offers its viewer (polls-panel.ts draws it). Pure, so that it is tested without a page.
 *
 * Anyone, the poll's owner included, answers while the poll is open: a host may answer their own poll, and the
 * SDK counts that answer in the host's own tally (src/client/polls.ts `answer`; a client cannot send itself a
 * message). Once the poll is closed, whoever answered sees what they chose. Only the owner sees the live tally
 * and the close and share buttons; everyone sees counts the owner shared.
 */
import type { PollView } from '../../client/index.ts';

export interface PollCardParts {
  /** The options to choose from and the answer (or change-answer) button. */
  readonly answerForm: boolean;
  /** "Your answer: …" on a closed poll. */
  readonly myAnswer: boolean;
  /** The owner's live or final count, with the close and share buttons. */
  readonly ownerTally: boolean;
}

export function pollCardParts(view: Pick<PollView, 'state' | 'own' | 'myChoices' | 'tally'>): PollCardParts {
  return {
    answerForm: view.state === 'open',
    myAnswer: view.state === 'closed' && view.myChoices !== null,
    ownerTally: view.own && view.tally !== null,
  };
}
