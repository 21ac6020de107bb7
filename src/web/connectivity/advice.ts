/**
 * What the page tells a person about their camera, microphone and network, in words they can act on,
 * and what to ask their IT department for when something is blocked.
 */
import type { MediaPathVerdict } from './media-path-probe.ts';
import { t } from '../i18n/index.ts';

export interface CheckLine {
  state: 'ok' | 'relayed' | 'blocked' | 'unknown' | 'checking';
  text: string;
}

export function deviceLine(kind: 'camera' | 'microphone', track: MediaStreamTrack | null, enabled: boolean): CheckLine {
  const camera = kind === 'camera';
  if (!enabled) return { state: 'unknown', text: t(camera ? 'check.camera.off' : 'check.mic.off') };
  if (track && track.readyState === 'live') return { state: 'ok', text: t(camera ? 'check.camera.ok' : 'check.mic.ok') };
  return { state: 'blocked', text: t(camera ? 'check.camera.missing' : 'check.mic.missing') };
}

/** The media path line; `serverHost` is the host name of the meeting server as this page reached it. */
export function mediaPathLine(verdict: MediaPathVerdict | null, serverHost: string): CheckLine {
  if (!verdict) return { state: 'checking', text: t('check.path.checking') };
  switch (verdict.kind) {
    case 'direct':
      return { state: 'ok', text: t('check.path.direct') };
    case 'relayed':
      return {
        state: 'relayed',
        text: t('check.path.relayed', { transport: verdict.over === 'tls' ? 'TLS' : 'TCP' }),
      };
    case 'blocked': {
      const tcp = verdict.relayPorts.filter((p) => p.transport !== 'udp').map((p) => `${p.host}:${p.port}`);
      return { state: 'blocked', text: t('check.path.blocked', { what: whatToAllow(tcp, serverHost) }) };
    }
    case 'no-relay':
      return {
        state: 'unknown',
        text: t('check.path.no-relay', { host: serverHost }),
      };
    case 'error':
      return { state: 'unknown', text: t('check.path.error') };
  }
}

/** What to ask the IT department to allow: TCP to the relay's addresses (`host:port`) when there are any, else UDP to the server. */
export function whatToAllow(tcpAddresses: readonly string[], serverHost: string): string {
  return tcpAddresses.length > 0 ? t('check.ask.tcp', { addresses: [...new Set(tcpAddresses)].join(t('check.or')) }) : t('check.ask.udp', { host: serverHost });
}
