import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

const file = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sabha-config-')), 'sabha.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('configuration', () => {
  it('defaults to loopback, a spawned Janus on the machine’s own interface, and meetings of 100', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.janus.mode, 'spawn');
    assert.equal(c.janus.iceEnforceList, 'auto');
    assert.equal(c.limits.maxParticipantsPerMeeting, 100);
  });

  it('rejects an unknown key anywhere, naming it', () => {
    assert.throws(() => loadConfig({ env: {}, file: file({ prot: 80 }) }), (e: Error) => e instanceof ConfigError && /prot/.test(e.message));
    assert.throws(() => loadConfig({ env: {}, file: file({ limits: { maxParticipants: 5 } }) }), /maxParticipants/);
  });

  it('lets the environment override the file', () => {
    const c = loadConfig({ file: file({ port: 9000, limits: { maxParticipantsPerMeeting: 50 } }), env: { SABHA_PORT: '9100', SABHA_ICE_ENFORCE_LIST: 'eth0' } });
    assert.equal(c.port, 9100);
    assert.equal(c.janus.iceEnforceList, 'eth0');
    assert.equal(c.limits.maxParticipantsPerMeeting, 50);
  });

  it('requires the URL and secret of an external Janus', () => {
    assert.throws(() => loadConfig({ env: { SABHA_JANUS_MODE: 'external' } }), /needs janus.url/);
  });

  it('rejects values of the wrong type and unreadable files', () => {
    assert.throws(() => loadConfig({ env: { SABHA_PORT: 'eighty' } }), /port/);
    assert.throws(() => loadConfig({ env: {}, file: '/nonexistent/sabha.json' }), /cannot read/);
  });
});
