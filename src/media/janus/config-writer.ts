/**
 * Writes the private configuration Janus runs with. The Debian package's /etc/janus
 * exposes HTTP and WebSocket APIs on every interface with a well-known admin secret, so
 * Sabha never uses it: Janus gets a directory of its own holding three files, with
 * every plugin, transport, logger and event handler turned off except the VideoRoom
 * plugin and a WebSocket API bound to loopback and guarded by a random api_secret.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { availableParallelism, networkInterfaces } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

export const DEBIAN_JANUS_LIB_DIR = '/usr/lib/x86_64-linux-gnu/janus';

/** Everything that is loaded from the lib dir; anything else found there gets disabled. */
const KEEP = { plugins: ['libjanus_videoroom.so'], transports: ['libjanus_websockets.so'] } as const;

/** Used when a lib dir cannot be listed, so that the disable lists are never empty by accident. */
const KNOWN = {
  plugins: ['audiobridge', 'duktape', 'echotest', 'lua', 'nosip', 'recordplay', 'sip', 'streaming', 'textroom',
    'videocall', 'videoroom', 'voicemail'],
  transports: ['http', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'],
  events: ['gelfevh', 'mqttevh', 'nanomsgevh', 'rabbitmqevh', 'sampleevh', 'wsevh'],
  loggers: ['jsonlog'],
} as const;

// Values end up inside double-quoted jcfg strings: allow only characters that need no escaping.
const safePath = z.string().min(1).max(512).refine((p) => isAbsolute(p) && /^[\w./-]+$/.test(p), 'plain absolute path');
const secret = z.string().regex(/^[A-Za-z0-9_-]{24,128}$/, 'random url-safe secret of 24 to 128 characters');
const ifaceList = z.string().regex(/^[A-Za-z0-9_.:-]+(,[A-Za-z0-9_.:-]+)*$/, 'comma-separated interfaces or addresses');
const ipList = z.string().regex(/^[0-9a-fA-F.:]+(,[0-9a-fA-F.:]+)*$/, 'comma-separated IP addresses');
const port = z.number().int().min(1).max(65535);

export const JanusConfigOptionsSchema = z.strictObject({
  /** Private directory; created with mode 0700 if missing. */
  dir: safePath,
  /** Where the Debian package put the plugin, transport, event and logger folders. */
  libDir: safePath.default(DEBIAN_JANUS_LIB_DIR),
  /** Port of the Janus API WebSocket on 127.0.0.1. */
  apiPort: port,
  apiSecret: secret,
  /** Needed by the VideoRoom plugin to create rooms and to RTP-forward. */
  adminKey: secret,
  rtpPortRange: z.strictObject({ min: port, max: port }).refine((r) => r.min < r.max, 'min < max'),
  /**
   * Interfaces or address prefixes Janus may gather ICE candidates on, e.g. "eth0" or "192.0.2.".
   * Never loopback: see checkIceEnforceList.
   */
  iceEnforceList: ifaceList,
  /** 1:1 NAT: the public address(es) written into Janus's host candidates. */
  nat1to1: ipList.optional(),
  keepPrivateHost: z.boolean().default(false),
  /** Off by default: a server with a public address needs no STUN. */
  stun: z.strictObject({ host: z.string().regex(/^[A-Za-z0-9.-]+$/), port }).optional(),
  ipv6: z.boolean().default(false),
  /** Media threads shared by all handles (Janus `event_loops`); one per core by default. */
  eventLoops: z.number().int().min(1).max(64).default(() => Math.max(1, availableParallelism())),
  /** Janus debug_level, 0 (none) to 7; 4 is info. Above 4 Janus may print SDP. */
  logLevel: z.number().int().min(0).max(7).default(3),
});
export type JanusConfigOptions = z.input<typeof JanusConfigOptionsSchema>;
type Options = z.output<typeof JanusConfigOptionsSchema>;

export interface JanusConfigFiles {
  dir: string;
  /** Pass as `janus -C <mainConfig> -F <dir>`. */
  mainConfig: string;
}

export async function writeJanusConfig(
  input: JanusConfigOptions,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): Promise<JanusConfigFiles> {
  const options = JanusConfigOptionsSchema.parse(input);
  checkIceEnforceList(options.iceEnforceList, interfaces);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700); // mkdir leaves an existing dir's mode alone
  const disabled = await disabledModules(options.libDir);
  const files: Record<string, string> = {
    'janus.jcfg': janusJcfg(options, disabled),
    'janus.plugin.videoroom.jcfg': videoroomJcfg(options),
    'janus.transport.websockets.jcfg': websocketsJcfg(options),
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(options.dir, name);
    await writeFile(path, text, { mode: 0o600 });
    await chmod(path, 0o600); // writeFile keeps the mode of a file that already existed
  }
  return { dir: options.dir, mainConfig: join(options.dir, 'janus.jcfg') };
}

type NetworkInterfaceInfo = ReturnType<typeof networkInterfaces>[string] extends (infer T)[] | undefined ? T : never;

/**
 * Janus 1.1.2 never gathers candidates on loopback, and when its enforce list matches no
 * interface at all, libnice falls back to gathering on every interface, IPv6 included
 * (measured: "lo" gave 192.0.2.x, fd00:: and fe80:: candidates). So an enforce list must
 * name at least one non-loopback interface of this machine, by name or address prefix
 * (Janus matches prefixes), and no entry may be loopback.
 */
export function checkIceEnforceList(list: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): void {
  const entries = list.split(',');
  const ifaces = Object.entries(interfaces).flatMap(([name, infos]) => (infos ?? []).map((i) => ({ name, ...i })));
  for (const entry of entries) {
    const matches = ifaces.filter((i) => i.name.startsWith(entry) || i.address.startsWith(entry));
    if (entry === 'lo' || entry.startsWith('127.') || entry === '::1' || (matches.length > 0 && matches.every((i) => i.internal))) {
      throw new Error(`ICE enforce list entry "${entry}" is loopback: Janus gathers no loopback candidates and would fall back to every interface; name a real interface such as eth0`);
    }
  }
  if (!ifaces.some((i) => !i.internal && entries.some((e) => i.name.startsWith(e) || i.address.startsWith(e)))) {
    throw new Error(`ICE enforce list "${list}" matches no interface of this machine: Janus would gather on every interface`);
  }
}

type Kind = keyof typeof KNOWN;
export type DisabledModules = Record<Kind, string[]>;

/** Every module file in the lib dir that Sabha does not need, plus the known ones. */
export async function disabledModules(libDir: string): Promise<DisabledModules> {
  const out = {} as DisabledModules;
  for (const kind of Object.keys(KNOWN) as Kind[]) {
    const keep: readonly string[] = kind === 'plugins' || kind === 'transports' ? KEEP[kind] : [];
    const names = new Set<string>(KNOWN[kind].map((n) => `libjanus_${n}.so`));
    try {
      // Janus loads only names ending in exactly ".so" (not the .so.1 symlinks).
      for (const f of await readdir(join(libDir, kind))) if (f.endsWith('.so')) names.add(f);
    } catch {
      // A missing folder loads nothing; the known names still go in the list.
    }
    out[kind] = [...names].filter((n) => !keep.includes(n)).sort();
  }
  return out;
}

const str = (s: string): string => `"${s}"`;

function janusJcfg(o: Options, disabled: DisabledModules): string {
  const nat = [
    'nice_debug = false',
    // Janus puts its own candidates in the SDP (half trickle): no extra round trips through Sabha.
    'full_trickle = false',
    'ice_lite = false',
    'ice_tcp = false',
    `ice_enforce_list = ${str(o.iceEnforceList)}`,
    // Browsers hide their addresses behind mDNS names that Janus would have to resolve; the server
    // never needs them because browsers reach it, not the other way round.
    'ignore_mdns = true',
    'allow_force_relay = false',
  ];
  if (o.nat1to1) {
    nat.push(`nat_1_1_mapping = ${str(o.nat1to1)}`, `keep_private_host = ${o.keepPrivateHost}`);
  }
  if (o.stun) nat.push(`stun_server = ${str(o.stun.host)}`, `stun_port = ${o.stun.port}`);

  return [
    '# Written by Sabha; regenerated at every start. Do not edit.',
    section('general', [
      `configs_folder = ${str(o.dir)}`,
      `plugins_folder = ${str(join(o.libDir, 'plugins'))}`,
      `transports_folder = ${str(join(o.libDir, 'transports'))}`,
      `events_folder = ${str(join(o.libDir, 'events'))}`,
      `loggers_folder = ${str(join(o.libDir, 'loggers'))}`,
      // Output goes to stdout only, which Sabha captures: nothing is written under /var/log.
      'log_to_stdout = true',
      `debug_level = ${o.logLevel}`,
      'debug_timestamps = false',
      'debug_colors = false',
      'daemonize = false',
      `api_secret = ${str(o.apiSecret)}`,
      'token_auth = false',
      'server_name = "sabha"',
      'session_timeout = 60',
      'reclaim_session_timeout = 0',
      'hide_dependencies = true',
      'exit_on_dl_error = true',
      // By default every handle gets its own media thread: 200+ threads for a meeting of 100 (a publisher
      // and a subscriber each), contending for a few cores. A fixed pool of one loop per core forwards
      // the same packets with far less switching between threads.
      `event_loops = ${o.eventLoops}`,
      // Recording is never enabled, but should anything try, nothing outside /tmp-like places.
      'protected_folders = ["/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/proc", "/root", "/sbin", "/sys", "/usr", "/var"]',
    ]),
    section('certificates', ['dtls_accept_selfsigned = true']),
    section('media', [
      `ipv6 = ${o.ipv6}`,
      'ipv6_linklocal = false',
      `rtp_port_range = ${str(`${o.rtpPortRange.min}-${o.rtpPortRange.max}`)}`,
      'no_media_timer = 1',
    ]),
    section('nat', nat),
    section('plugins', [`disable = ${str(disabled.plugins.join(','))}`]),
    section('transports', [`disable = ${str(disabled.transports.join(','))}`]),
    section('loggers', [`disable = ${str(disabled.loggers.join(','))}`]),
    section('events', ['broadcast = false', `disable = ${str(disabled.events.join(','))}`]),
  ].join('\n');
}

function videoroomJcfg(o: Options): string {
  return [
    '# Written by Sabha. No static rooms: Sabha creates each meeting\'s room with the admin key.',
    section('general', [
      `admin_key = ${str(o.adminKey)}`,
      'lock_rtp_forward = true',
      'events = false',
      'string_ids = false',
    ]),
  ].join('\n');
}

function websocketsJcfg(o: Options): string {
  return [
    '# Written by Sabha. The Janus API is for Sabha\'s server only: loopback, plain ws, no admin API.',
    section('general', [
      'events = false',
      'json = "compact"',
      'ws = true',
      `ws_port = ${o.apiPort}`,
      'ws_ip = "127.0.0.1"',
      'ws_acl = "127.0.0.1"',
      'ws_logging = "err,warn"',
      'wss = false',
    ]),
    section('admin', ['admin_ws = false', 'admin_wss = false']),
    section('cors', []),
    section('certificates', []),
  ].join('\n');
}

function section(name: string, lines: string[]): string {
  return `${name}: {\n${lines.map((l) => `\t${l}\n`).join('')}}\n`;
}
