/**
 * Starts a Sabha server for a test on a free loopback port, with the fake media
 * engine (fast, for protocol rules) or a real Janus (for media and browsers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSabha, type RunningSabha, type SabhaOptions } from '../../src/server/app.ts';
import { loadConfig, type SabhaConfig } from '../../src/server/config.ts';
import type { MediaEngine } from '../../src/media/engine.ts';
import { engineFromConfig } from '../../src/server/engine-from-config.ts';
import { Logger } from '../../src/log/logger.ts';
import { FakeEngine } from './fake-engine.ts';

export interface TestServer extends RunningSabha {
  engine: MediaEngine;
  wsUrl: string;
  config: SabhaConfig;
}

/** Quiet unless SABHA_TEST_LOG is set, so test output stays readable. */
export const testLogger = new Logger('test', process.env.SABHA_TEST_LOG ? 'debug' : 'error');

export async function startTestServer(
  options: { janus?: boolean; overrides?: Record<string, unknown>; accounts?: SabhaOptions['accounts'] } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sabha-test-'));
  // `anyone` may host unless a test asks for `accounts` (the account tests do): the meeting tests need no sign-in.
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, tls: 'off', dataDir, whoMayHost: 'anyone', ...(options.overrides ?? {}) } });
  const engine: MediaEngine = options.janus ? await engineFromConfig(config, testLogger) : new FakeEngine();
  await engine.start();
  const sabha = await startSabha({ config, engine, log: testLogger, ...(options.accounts ? { accounts: options.accounts } : {}) }).catch(async (error: unknown) => {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    ...sabha,
    engine,
    config,
    wsUrl: sabha.url.replace(/^http/, 'ws') + '/ws',
    close: async () => {
      await sabha.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
