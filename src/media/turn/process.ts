/**
 * Supervises the coturn `turnserver` Sabha starts itself, with the same SupervisedProcess as Janus (spawning,
 * restart with backoff, stopping, bounded output capture). What is coturn's own: its command line on the
 * private config, and readiness = it grants an allocation to a credential of Sabha's. Its output holds
 * usernames, which carry no names.
 *
 * Events: `ready` each time a (re)started turnserver accepts a credential; `exit` when it died without being asked
 * to; `failed` when a restart attempt did not come up.
 */
import { probeTurnServer, type ProbeCredential } from './probe.ts';
import { SupervisedProcess, type SupervisedProcessEvents, type SupervisionTiming } from '../supervised-process.ts';
import type { Logger } from '../../log/logger.ts';

export interface TurnProcessOptions extends SupervisionTiming {
  /** `turnserver` (looked up in PATH) or a path. */
  binary?: string;
  configFile: string;
  dir: string;
  /** Where the readiness probe sends its Allocate. */
  probeAddress: string;
  probePort: number;
  /** A fresh credential for the readiness check (an Allocate that must succeed). */
  probeCredential: () => ProbeCredential;
  logger: Logger;
}

export type TurnProcessEvents = SupervisedProcessEvents;

export class TurnNotInstalledError extends Error {
  constructor(binary: string) {
    super(`coturn's "${binary}" not found: install it with \`apt-get install coturn\` (Debian/Ubuntu), or set turn.mode to "external" or "off"`);
    this.name = 'TurnNotInstalledError';
  }
}

export class TurnProcess extends SupervisedProcess {
  constructor(options: TurnProcessOptions) {
    const { binary, configFile, dir, probeAddress, probePort, probeCredential, logger, ...timing } = options;
    super({
      name: 'turnserver',
      binary: binary ?? 'turnserver',
      // -c: this config only, never /etc/turnserver.conf.
      args: ['-c', configFile],
      cwd: dir,
      waitUntilReady: (timeoutMs) => probeTurnServer(probeAddress, probePort, { timeoutMs, credential: probeCredential }),
      notInstalledError: (missing) => new TurnNotInstalledError(missing),
      outputLinesPerMinute: 300,
      logger,
      ...timing,
      // coturn comes up faster than Janus; 10 s unless configured.
      readyTimeoutMs: timing.readyTimeoutMs ?? 10_000,
    });
  }
}
