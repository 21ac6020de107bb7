/**
 * The `join` request: sent when joining, and again when the socket dropped before admission.
 *
 * The passcode and host secret travel in it and are kept only in the Room's memory (to join again after a
 * drop before admission); they are never written anywhere.
 */
import type { EndReason } from './connection-state.ts';
import { SignallingError, type SignallingClient } from './signalling-client.ts';

export interface JoinOptions {
  meetingId: string;
  /** Absent when a personal invitation stands in for it. */
  passcode?: string;
  /** A personal invitation's token (`/i/<token>`), instead of the passcode. */
  invitation?: string;
  name: string;
  deviceId: string;
  hostSecret?: string;
  /**
   * Entering breakout room `meetingId` of meeting `breakout.meetingId` with a ticket given over that meeting's
   * connection (src/client/breakout/): sent as `breakout-enter`; `passcode` and `hostSecret` are not used.
   */
  breakout?: { meetingId: string; ticket: string };
}

/**
 * Sends `join`, opening the socket first if it is not open. Resolves null when the server took it (its
 * answer arrives as `waiting` or `joined`) or the socket closed meanwhile (the drop handler takes over);
 * otherwise with the error that ends the meeting for us.
 */
export async function requestJoin(signalling: SignallingClient, join: JoinOptions): Promise<SignallingError | null> {
  try {
    if (!signalling.isOpen) await signalling.connect();
    if (join.breakout) {
      await signalling.request({ type: 'breakout-enter', meetingId: join.breakout.meetingId, roomId: join.meetingId, ticket: join.breakout.ticket, deviceId: join.deviceId });
      return null;
    }
    await signalling.request({
      type: 'join',
      meetingId: join.meetingId,
      ...(join.passcode !== undefined ? { passcode: join.passcode } : {}),
      ...(join.invitation !== undefined ? { invitation: join.invitation } : {}),
      name: join.name,
      deviceId: join.deviceId,
      ...(join.hostSecret ? { hostSecret: join.hostSecret } : {}),
    });
    return null;
  } catch (err) {
    const error = err instanceof SignallingError ? err : new SignallingError('internal', 'join failed');
    return error.code === 'closed' ? null : error;
  }
}

/** Why a refused or failed join ends the meeting for us. */
export function joinFailureReason(error: SignallingError): EndReason {
  switch (error.code) {
    case 'join-refused':
    case 'locked':
    case 'meeting-full':
    case 'throttled':
    case 'removed':
      return error.code;
    case 'connect-failed':
      return 'connection-failed';
    default:
      return 'error';
  }
}
