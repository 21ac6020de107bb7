/**
 * `node dist/server.mjs [--config file.json]`: starts Janus and Sabha, prints the
 * address to open, and shuts down gracefully on SIGINT/SIGTERM: it stops accepting,
 * tells every participant that the meeting ends because the server is shutting down
 * (`left` with reason `server-shutdown`), gives that a moment to reach them, stops
 * Janus (and the TURN relay), and exits 0.
 */
import { rootLogger } from '../log/logger.ts';
import { startSabha } from './app.ts';
import { ConfigError, loadConfig, type SabhaConfig } from './config.ts';
import { engineFromConfig } from './engine-from-config.ts';
import { turnRelayFromConfig } from '../media/turn/from-config.ts';
import type { TurnStatus } from './ops/sabha-metrics.ts';

/** The oldest Node.js major Sabha is supported and tested on (scripts/install.sh provides it). */
const SUPPORTED_NODE_MAJOR = 24;
/** A shutdown that hangs (a child that ignores SIGTERM and SIGKILL) still ends, with a failure code. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** A relay Sabha runs beside Janus: readiness for /readyz, and stopped on shutdown. */
export interface SupervisedTurn extends TurnStatus {
  close(): Promise<void>;
}

/**
 * On a loopback-only install without `publicUrl`, links (the first administrator's set-up link, invitations)
 * name `localhost` rather than 127.0.0.1: WebAuthn refuses an IP address as the passkeys' relying party, and
 * browsers treat localhost as a secure context just the same.
 */
function withLocalPublicUrl(config: SabhaConfig): SabhaConfig {
  if (config.publicUrl !== null || config.port === 0 || !/^127\./.test(config.host)) return config;
  const scheme = config.tls === 'on' ? 'https' : 'http';
  return { ...config, publicUrl: `${scheme}://localhost:${config.port}` };
}

async function main(): Promise<void> {
  const configFlag = process.argv.indexOf('--config');
  const config = withLocalPublicUrl(loadConfig({ file: configFlag > 0 ? process.argv[configFlag + 1] : undefined }));
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < SUPPORTED_NODE_MAJOR) {
    rootLogger.warn('unsupported Node.js version: run scripts/install.sh, which provides a supported one', { node: process.versions.node, supported: `${SUPPORTED_NODE_MAJOR}.x` });
  }
  const engine = await engineFromConfig(config, rootLogger);
  await engine.start();
  let turn: SupervisedTurn | undefined;
  let sabha: Awaited<ReturnType<typeof startSabha>>;
  try {
    // The TURN relay (src/media/turn/): coturn supervised like Janus, an external server, or none.
    const relay = await turnRelayFromConfig(config, rootLogger);
    turn = relay;
    await relay?.start();
    sabha = await startSabha({ config, engine, turn, relay });
  } catch (error) {
    // Janus (and coturn) are child processes: a start that fails after them must not leave them running.
    await Promise.allSettled([engine.close(), turn?.close()]);
    throw error;
  }

  const lines = [`Sabha is running at ${(config.publicUrl ?? sabha.url).replace(/\/+$/, '')}/`];
  if (sabha.tls?.selfSigned) {
    lines.push(`It uses a self-signed certificate (in ${config.dataDir}/tls); its SHA-256 fingerprint is`);
    lines.push(`  ${sabha.tls.fingerprint}`);
    lines.push('Browsers will warn once; compare the fingerprint, or set tlsCertFile/tlsKeyFile to your own certificate.');
  }
  if (sabha.metricsUrl) lines.push(`Metrics: ${sabha.metricsUrl}/metrics`);
  // Only here, on standard output, never through the logger: whoever holds this link becomes the administrator.
  if (sabha.setupLink) {
    lines.push('No administrator has enrolled yet. Open this one-time link (valid 24 hours; a new one is printed at each start until used):');
    lines.push(`  ${sabha.setupLink}`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info('shutting down', { signal });
    setTimeout(() => {
      rootLogger.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await sabha.close('server-shutdown');
    await Promise.allSettled([engine.close(), turn?.close()]);
    rootLogger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || ['JanusNotInstalledError', 'TurnNotInstalledError'].includes((error as Error)?.name) ? (error as Error).message : 'Sabha failed to start';
  process.stderr.write(`${message}\n`);
  if (!(error instanceof ConfigError)) rootLogger.error('start failed', { error });
  process.exit(1);
});
