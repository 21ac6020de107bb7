/** What the user is told for each way a meeting can end for them. */
import type { EndReason } from '../client/index.ts';

export function endReasonText(reason: EndReason): { title: string; detail: string } {
  switch (reason) {
    case 'left':
      return { title: 'You left the meeting', detail: 'You can close this tab.' };
    case 'ended':
      return { title: 'The meeting has ended', detail: 'The host ended the meeting for everyone.' };
    case 'removed':
      return { title: 'You were removed from the meeting', detail: 'The host removed you. You cannot rejoin this meeting.' };
    case 'denied':
      return { title: 'You were not let in', detail: 'The host declined your request to join.' };
    case 'idle':
      return { title: 'The meeting has ended', detail: 'It ended because no one was in it.' };
    case 'max-duration':
      return { title: 'The meeting has ended', detail: 'It reached its time limit.' };
    case 'media-failure':
      return { title: 'The meeting has ended', detail: 'The media server failed and the meeting could not continue.' };
    case 'replaced':
      return { title: 'You joined from somewhere else', detail: 'This window was disconnected because you rejoined in another one.' };
    case 'timeout':
      return { title: 'Connection lost', detail: 'The connection to the server could not be restored in time.' };
    case 'join-refused':
      return { title: 'Could not join', detail: 'The passcode is wrong or this meeting does not exist.' };
    case 'locked':
      return { title: 'This meeting is locked', detail: 'The host locked the meeting; no one else can join now.' };
    case 'meeting-full':
      return { title: 'This meeting is full', detail: 'It has reached the maximum number of participants.' };
    case 'throttled':
      return { title: 'Too many attempts', detail: 'Wait a little, then try again.' };
    case 'connection-failed':
      return { title: 'Could not reach the server', detail: 'Check your connection and try again.' };
    case 'error':
      return { title: 'Something went wrong', detail: 'The meeting could not continue.' };
  }
}
