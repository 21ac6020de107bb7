/**
 * `node dist/server.mjs [--config file.json]`: starts Janus and Sabha, prints the
 * address to open, and shuts both down on SIGINT/SIGTERM.
 */
import { rootLogger } from '../log/logger.ts';
import { startSabha } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { engineFromConfig } from './engine-from-config.ts';

async function main(): Promise<void> {
  const configFlag = process.argv.indexOf('--config');
  const config = loadConfig({ file: configFlag > 0 ? process.argv[configFlag + 1] : undefined });
  const engine = await engineFromConfig(config, rootLogger);
  await engine.start();
  const sabha = await startSabha({ config, engine });

  const lines = [`Sabha is running at ${sabha.url}/`];
  if (sabha.tls?.selfSigned) {
    lines.push(`It uses a self-signed certificate (in ${config.dataDir}/tls); its SHA-256 fingerprint is`);
    lines.push(`  ${sabha.tls.fingerprint}`);
    lines.push('Browsers will warn once; compare the fingerprint, or set tlsCertFile/tlsKeyFile to your own certificate.');
  }
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info('shutting down', { signal });
    await sabha.close();
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || (error as Error)?.name === 'JanusNotInstalledError' ? (error as Error).message : 'Sabha failed to start';
  process.stderr.write(`${message}\n`);
  if (!(error instanceof ConfigError)) rootLogger.error('start failed', { error });
  process.exit(1);
});
