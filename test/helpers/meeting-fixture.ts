/**
 * Builds the usual starting points of a test over raw WebSocket: a created meeting
 * with its host joined, and participants let in through the waiting room.
 */
import assert from 'node:assert/strict';
import type { ServerMessageOf } from '../../src/protocol/index.ts';
import { RawClient, randomDeviceId } from './ws-client.ts';

export interface MeetingSecrets {
  meetingId: string;
  passcode: string;
  hostSecret: string;
}

export interface HostedMeeting extends MeetingSecrets {
  host: RawClient;
  hostId: string;
  /** The device id the host entered from (coming back from it with the host secret takes the host's place). */
  deviceId: string;
  /** The host's `joined` snapshot. */
  joined: ServerMessageOf<'joined'>;
}

export async function createMeeting(wsUrl: string, title = 'Test meeting'): Promise<MeetingSecrets> {
  const creator = await RawClient.connect(wsUrl);
  const created = await creator.request({ type: 'create-meeting', title });
  assert.equal(created.type, 'created');
  creator.close();
  const { meetingId, passcode, hostSecret } = created as ServerMessageOf<'created'>;
  return { meetingId, passcode, hostSecret };
}

/** Joins `meeting` with the host secret from `deviceId`; returns the connection and its `joined` snapshot. */
export async function joinAsHost(wsUrl: string, meeting: MeetingSecrets, deviceId: string, name = 'Host'): Promise<{ client: RawClient; joined: ServerMessageOf<'joined'> }> {
  const client = await RawClient.connect(wsUrl);
  const joinedP = client.nextOf('joined');
  const reply = await client.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name, deviceId, hostSecret: meeting.hostSecret });
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  return { client, joined: await joinedP };
}

/** A new meeting with its host joined, from `deviceId` (a fresh one unless given). */
export async function hostMeeting(wsUrl: string, title = 'Test meeting', deviceId = randomDeviceId()): Promise<HostedMeeting> {
  const meeting = await createMeeting(wsUrl, title);
  const { client, joined } = await joinAsHost(wsUrl, meeting, deviceId);
  assert.equal(joined.self.role, 'host');
  return { ...meeting, host: client, hostId: joined.self.participantId, deviceId, joined };
}

/** Joins as a participant and returns the client once it waits in the waiting room. */
export async function enterWaitingRoom(wsUrl: string, m: HostedMeeting, name: string, deviceId = randomDeviceId()) {
  const client = await RawClient.connect(wsUrl);
  const waitingP = client.nextOf('waiting');
  const reply = await client.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name, deviceId });
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  const waiting = await waitingP;
  return { client, participantId: waiting.participantId, deviceId, waiting };
}

/** A participant admitted by the host through the waiting room. */
export async function admitted(wsUrl: string, m: HostedMeeting, name: string, deviceId = randomDeviceId()) {
  const entry = await enterWaitingRoom(wsUrl, m, name, deviceId);
  const joinedP = entry.client.nextOf('joined');
  const reply = await m.host.request({ type: 'admit', participantIds: [entry.participantId] });
  assert.equal(reply.type, 'ok', JSON.stringify(reply));
  const joined = await joinedP;
  return { ...entry, joined };
}
