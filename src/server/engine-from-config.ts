/** Builds the media engine the configuration asks for. The only place that names Janus. */
import { resolve } from 'node:path';
import type { MediaEngine } from '../media/engine.ts';
import { JanusEngine } from '../media/janus/janus-engine.ts';
import type { Logger } from '../log/logger.ts';
import { ConfigError, type SabhaConfig } from './config.ts';
import { freeLoopbackPort, lanInterface } from './local-network.ts';

export async function engineFromConfig(config: SabhaConfig, logger: Logger): Promise<MediaEngine> {
  const janus = config.janus;
  if (janus.mode === 'external') {
    if (!janus.adminKey) throw new ConfigError('invalid configuration: janus.mode "external" needs janus.adminKey (the VideoRoom admin_key)');
    return new JanusEngine({ mode: 'external', url: janus.url!, apiSecret: janus.apiSecret!, adminKey: janus.adminKey, logger });
  }
  const [min, max] = janus.rtpPortRange.split('-').map(Number) as [number, number];
  return new JanusEngine({
    mode: 'spawn',
    dir: resolve(config.dataDir, 'janus'),
    apiPort: janus.apiPort || (await freeLoopbackPort()),
    rtpPortRange: { min, max },
    iceEnforceList: janus.iceEnforceList === 'auto' ? firstExternalInterface() : janus.iceEnforceList,
    ...(janus.natPublicIp ? { nat1to1: janus.natPublicIp } : {}),
    binary: janus.binary,
    logger,
  });
}

function firstExternalInterface(): string {
  const lan = lanInterface();
  if (!lan) throw new ConfigError('janus.iceEnforceList is "auto" but this machine has no non-loopback IPv4 interface: set it explicitly');
  return lan.name;
}
