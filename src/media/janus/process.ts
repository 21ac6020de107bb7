/**
 * Supervises the Janus process that Sabha starts itself (see SupervisedProcess for spawning, restart with
 * backoff, stopping and output capture). What is Janus's own: its command line on the private config, and
 * readiness = its API answers an `info` request signed with Sabha's api_secret.
 *
 * Events: `ready` each time a (re)started Janus answers; `exit` when it died
 * without being asked to; `failed` when a restart attempt did not come up.
 */
import { probeJanusApi } from './probe.ts';
import { SupervisedProcess, type SupervisedProcessEvents, type SupervisionTiming } from '../supervised-process.ts';
import type { Logger } from '../../log/logger.ts';

export interface JanusProcessOptions extends SupervisionTiming {
  /** `janus` (looked up in PATH) or an absolute path. */
  binary?: string;
  mainConfig: string;
  configDir: string;
  apiUrl: string;
  apiSecret: string;
  logger: Logger;
}

export type JanusProcessEvents = SupervisedProcessEvents;

export class JanusNotInstalledError extends Error {
  constructor(binary: string) {
    super(`Janus binary "${binary}" not found: install it with \`apt-get install janus\` (Debian/Ubuntu)`);
    this.name = 'JanusNotInstalledError';
  }
}

export class JanusProcess extends SupervisedProcess {
  constructor(options: JanusProcessOptions) {
    const { binary, mainConfig, configDir, apiUrl, apiSecret, logger, ...timing } = options;
    super({
      name: 'janus',
      binary: binary ?? 'janus',
      // -C/-F point Janus at the private config only, never at /etc/janus.
      args: ['-C', mainConfig, '-F', configDir],
      cwd: configDir,
      waitUntilReady: (timeoutMs) => probeJanusApi(apiUrl, apiSecret, { timeoutMs }),
      notInstalledError: (missing) => new JanusNotInstalledError(missing),
      outputLinesPerMinute: 600,
      logger,
      ...timing, // the shared defaults (15 s to come up) suit Janus
    });
  }
}
