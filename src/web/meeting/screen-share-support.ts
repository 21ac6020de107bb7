/**
 * Whether this device can share its screen at all. Phones and most tablets cannot (no
 * `getDisplayMedia`, or one that only ever fails), so the control bar does not offer it there.
 */
import { t } from '../i18n/index.ts';

/** A phone or small tablet: touch only, no hover, and a screen whose short side is that of a phone. */
const PHONE_SHORT_SIDE_PX = 600;

export function canShareScreen(): boolean {
  if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') return false;
  const touchOnly = window.matchMedia('(hover: none) and (pointer: coarse)').matches;
  return !(touchOnly && Math.min(screen.width, screen.height) < PHONE_SHORT_SIDE_PX);
}

/** What a person is told when the browser did not start a screen share (picker cancelled, no display, …). */
export function screenShareErrorText(error: unknown): string {
  // By name, not `instanceof DOMException`: the browser's failures are DOMExceptions, but any error that
  // names itself the same way means the same thing to the person.
  const name = typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
  if (name === 'NotAllowedError') return t('screen.cancelled');
  if (name === 'NotFoundError' || name === 'NotReadableError') return t('screen.no-screen');
  return t('screen.failed');
}
