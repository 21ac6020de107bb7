/** Creating a meeting: a short-lived socket, one request, the answer. */
import { SignallingClient, SignallingError } from './signalling-client.ts';

export interface CreatedMeeting {
  meetingId: string;
  passcode: string;
  hostSecret: string;
}

/** `scheduleId`: start the occurrence of one's own schedule (the socket carries the session cookie). */
export async function createMeeting(signallingUrl: string, title: string, scheduleId?: string): Promise<CreatedMeeting> {
  const client = new SignallingClient({ url: signallingUrl });
  try {
    await client.connect();
    const reply = await client.request({ type: 'create-meeting', title, ...(scheduleId !== undefined ? { scheduleId } : {}) });
    if (reply.type !== 'created') throw new SignallingError('bad-message', 'unexpected reply');
    return { meetingId: reply.meetingId, passcode: reply.passcode, hostSecret: reply.hostSecret };
  } finally {
    client.close();
  }
}
