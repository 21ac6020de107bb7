import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkIceEnforceList, writeJanusConfig, type JanusConfigOptions } from '../../src/media/janus/config-writer.ts';
import { randomSecret } from '../../src/media/janus/ids.ts';

const IFACES = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [{ address: '192.0.2.2', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.2/24' }],
} as const;
const ifaces = IFACES as unknown as Parameters<typeof checkIceEnforceList>[1];

/** A fake Janus lib dir with the Debian package's module files plus an unknown extra plugin. */
async function fakeLibDir(root: string): Promise<string> {
  const lib = join(root, 'lib');
  const files: Record<string, string[]> = {
    plugins: ['videoroom', 'echotest', 'streaming', 'sip', 'extraplugin'],
    transports: ['websockets', 'http', 'pfunix'],
    events: ['sampleevh', 'wsevh'],
    loggers: ['jsonlog'],
  };
  for (const [kind, names] of Object.entries(files)) {
    await mkdir(join(lib, kind), { recursive: true });
    for (const n of names) {
      await writeFile(join(lib, kind, `libjanus_${n}.so`), '');
      await writeFile(join(lib, kind, `libjanus_${n}.so.1`), '');
    }
  }
  return lib;
}

async function generate(extra: Partial<JanusConfigOptions> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'sabha-janus-config-'));
  const options: JanusConfigOptions = {
    dir: join(root, 'janus'),
    libDir: await fakeLibDir(root),
    apiPort: 18188,
    apiSecret: randomSecret(),
    adminKey: randomSecret(),
    rtpPortRange: { min: 40000, max: 40999 },
    iceEnforceList: 'eth0',
    ...extra,
  };
  const files = await writeJanusConfig(options, ifaces).catch(async (err: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw err;
  });
  const read = (name: string) => readFile(join(options.dir, name), 'utf8');
  return {
    root, options, files,
    janus: await read('janus.jcfg'),
    videoroom: await read('janus.plugin.videoroom.jcfg'),
    ws: await read('janus.transport.websockets.jcfg'),
  };
}

/** The value of `key` inside `section: { ... }` of a jcfg text. */
function setting(text: string, section: string, key: string): string | undefined {
  const body = new RegExp(`^${section}: \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(text)?.[1] ?? '';
  return new RegExp(`^\\s*${key} = (.*)$`, 'm').exec(body)?.[1];
}

test('the config directory is private (0700) and each file is readable by the owner only (0600)', async () => {
  const g = await generate();
  try {
    assert.equal((await stat(g.options.dir)).mode & 0o777, 0o700);
    for (const f of ['janus.jcfg', 'janus.plugin.videoroom.jcfg', 'janus.transport.websockets.jcfg']) {
      assert.equal((await stat(join(g.options.dir, f))).mode & 0o777, 0o600, f);
    }
    assert.equal(g.files.mainConfig, join(g.options.dir, 'janus.jcfg'));
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('janus.jcfg points at the private dir and the package lib dirs, never at /etc/janus, and logs to stdout only', async () => {
  const g = await generate();
  try {
    assert.equal(setting(g.janus, 'general', 'configs_folder'), `"${g.options.dir}"`);
    assert.equal(setting(g.janus, 'general', 'plugins_folder'), `"${g.options.libDir}/plugins"`);
    assert.equal(setting(g.janus, 'general', 'transports_folder'), `"${g.options.libDir}/transports"`);
    assert.doesNotMatch(g.janus + g.videoroom + g.ws, /\/etc\/janus/);
    assert.doesNotMatch(g.janus, /log_to_file/);
    assert.equal(setting(g.janus, 'general', 'log_to_stdout'), 'true');
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('every plugin but videoroom, every transport but websockets, every logger and event handler is disabled', async () => {
  const g = await generate();
  try {
    const list = (section: string) => setting(g.janus, section, 'disable')!.replace(/"/g, '').split(',');
    const plugins = list('plugins');
    assert.ok(!plugins.includes('libjanus_videoroom.so'));
    for (const p of ['echotest', 'streaming', 'sip', 'extraplugin', 'audiobridge', 'textroom']) assert.ok(plugins.includes(`libjanus_${p}.so`), p);
    const transports = list('transports');
    assert.ok(!transports.includes('libjanus_websockets.so'));
    for (const t of ['http', 'pfunix', 'mqtt', 'rabbitmq', 'nanomsg']) assert.ok(transports.includes(`libjanus_${t}.so`), t);
    assert.ok(list('loggers').includes('libjanus_jsonlog.so'));
    assert.ok(list('events').includes('libjanus_wsevh.so'));
    assert.equal(setting(g.janus, 'events', 'broadcast'), 'false');
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('the API needs the api_secret, token auth is off, and the admin API is not served', async () => {
  const g = await generate();
  try {
    assert.equal(setting(g.janus, 'general', 'api_secret'), `"${g.options.apiSecret}"`);
    assert.equal(setting(g.janus, 'general', 'token_auth'), 'false');
    assert.match(setting(g.janus, 'general', 'event_loops') ?? '', /^[1-9]\d*$/, 'a fixed pool of media threads, not one per handle');
    assert.doesNotMatch(g.janus, /janusoverlord/);
    assert.equal(setting(g.ws, 'admin', 'admin_ws'), 'false');
    assert.equal(setting(g.ws, 'admin', 'admin_wss'), 'false');
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('the WebSocket API is plain ws on 127.0.0.1 at the given port, without wss', async () => {
  const g = await generate({ apiPort: 23456 });
  try {
    assert.equal(setting(g.ws, 'general', 'ws'), 'true');
    assert.equal(setting(g.ws, 'general', 'ws_port'), '23456');
    assert.equal(setting(g.ws, 'general', 'ws_ip'), '"127.0.0.1"');
    assert.equal(setting(g.ws, 'general', 'wss'), 'false');
    assert.doesNotMatch(g.ws, /ssl-cert-snakeoil/);
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('ICE, ports and NAT follow the options: enforce list, port range, half trickle, no STUN or 1:1 NAT unless asked', async () => {
  const g = await generate({ rtpPortRange: { min: 30000, max: 30500 } });
  try {
    assert.equal(setting(g.janus, 'nat', 'ice_enforce_list'), '"eth0"');
    assert.equal(setting(g.janus, 'media', 'rtp_port_range'), '"30000-30500"');
    assert.equal(setting(g.janus, 'nat', 'full_trickle'), 'false');
    assert.equal(setting(g.janus, 'media', 'ipv6'), 'false');
    assert.equal(setting(g.janus, 'nat', 'stun_server'), undefined);
    assert.equal(setting(g.janus, 'nat', 'nat_1_1_mapping'), undefined);
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
  const n = await generate({ nat1to1: '203.0.113.7', stun: { host: 'stun.example.org', port: 3478 } });
  try {
    assert.equal(setting(n.janus, 'nat', 'nat_1_1_mapping'), '"203.0.113.7"');
    assert.equal(setting(n.janus, 'nat', 'stun_server'), '"stun.example.org"');
    assert.equal(setting(n.janus, 'nat', 'stun_port'), '3478');
  } finally {
    await rm(n.root, { recursive: true, force: true });
  }
});

test('the VideoRoom config has the admin key, locks RTP forwarding, and defines no room', async () => {
  const g = await generate();
  try {
    assert.equal(setting(g.videoroom, 'general', 'admin_key'), `"${g.options.adminKey}"`);
    assert.equal(setting(g.videoroom, 'general', 'lock_rtp_forward'), 'true');
    assert.doesNotMatch(g.videoroom, /^room-/m);
  } finally {
    await rm(g.root, { recursive: true, force: true });
  }
});

test('values that could break out of a jcfg string are rejected', async () => {
  await assert.rejects(generate({ apiSecret: 'short' }));
  await assert.rejects(generate({ adminKey: `${'a'.repeat(30)}"\nadmin_ws = true` }));
  await assert.rejects(generate({ iceEnforceList: 'eth0"' }));
  await assert.rejects(generate({ dir: 'relative/dir' }));
  await assert.rejects(generate({ rtpPortRange: { min: 40000, max: 30000 } }));
});

test('a loopback or unmatched ICE enforce list is refused, because Janus would then gather on every interface', () => {
  assert.throws(() => checkIceEnforceList('lo', ifaces), /loopback/);
  assert.throws(() => checkIceEnforceList('127.0.0.1', ifaces), /loopback/);
  assert.throws(() => checkIceEnforceList('wlan0', ifaces), /matches no interface/);
  assert.doesNotThrow(() => checkIceEnforceList('eth0', ifaces));
  assert.doesNotThrow(() => checkIceEnforceList('192.0.2.', ifaces));
});
