/** Creating a meeting: a short-lived socket, one request, the answer. */
import { SignallingClient, SignallingError } from './signalling-client.ts';

export interface CreatedMeeting {
  meetingId: string;
  passcode: string;
  hostSecret: string;
}

export async function createMeeting(signallingUrl: string, title: string): Promise<CreatedMeeting> {
  const client = new SignallingClient({ url: signallingUrl });
  try {
    await client.connect();
    const reply = await client.request({ type: 'create-meeting', title });
    if (reply.type !== 'created') throw new SignallingError('bad-message', 'unexpected reply');
    return { meetingId: reply.meetingId, passcode: reply.passcode, hostSecret: reply.hostSecret };
  } finally {
    client.close();
  }
}
