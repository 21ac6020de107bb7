/**
 * What the user is told for each way a meeting can end for them. The server sends reasons as codes only:
 * each code maps to catalogue keys here, and no text from the server is ever shown.
 */
import type { EndReason } from '../client/index.ts';
import { t, type PlainKey } from './i18n/index.ts';

const END_REASONS: Record<EndReason, { title: PlainKey; detail: PlainKey }> = {
  left: { title: 'end.left.title', detail: 'end.left.detail' },
  ended: { title: 'end.ended.title', detail: 'end.ended.detail' },
  removed: { title: 'end.removed.title', detail: 'end.removed.detail' },
  denied: { title: 'end.denied.title', detail: 'end.denied.detail' },
  idle: { title: 'end.ended.title', detail: 'end.idle.detail' },
  'max-duration': { title: 'end.ended.title', detail: 'end.max-duration.detail' },
  'media-failure': { title: 'end.ended.title', detail: 'end.media-failure.detail' },
  'server-shutdown': { title: 'end.ended.title', detail: 'end.server-shutdown.detail' },
  replaced: { title: 'end.replaced.title', detail: 'end.replaced.detail' },
  timeout: { title: 'end.timeout.title', detail: 'end.timeout.detail' },
  'join-refused': { title: 'end.join-refused.title', detail: 'end.join-refused.detail' },
  locked: { title: 'end.locked.title', detail: 'end.locked.detail' },
  'meeting-full': { title: 'end.meeting-full.title', detail: 'end.meeting-full.detail' },
  throttled: { title: 'end.throttled.title', detail: 'end.throttled.detail' },
  'connection-failed': { title: 'end.connection-failed.title', detail: 'end.connection-failed.detail' },
  error: { title: 'end.error.title', detail: 'end.error.detail' },
};

export function endReasonText(reason: EndReason): { title: string; detail: string } {
  const keys = END_REASONS[reason] ?? END_REASONS.error;
  return { title: t(keys.title), detail: t(keys.detail) };
}
