/**
 * Sabha's configuration: a JSON file (strict: an unknown key is an error) with
 * environment overrides on top. docs/configuration.md documents every key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_MEETING_PARTICIPANTS } from '../protocol/messages.ts';

const janusConfig = z.strictObject({
  /** `spawn`: Sabha writes a private config and runs Janus itself. `external`: use a running Janus. */
  mode: z.enum(['spawn', 'external']).default('spawn'),
  binary: z.string().default('janus'),
  /** Loopback port of Janus's WebSocket API when spawned. 0 picks a free one. */
  apiPort: z.number().int().min(0).max(65535).default(0),
  /** For `external`: its WebSocket URL and API secret (and the VideoRoom admin key, if it has one). */
  url: z.url().optional(),
  apiSecret: z.string().optional(),
  adminKey: z.string().optional(),
  /**
   * Interfaces (or address prefixes) Janus gathers ICE candidates on, comma separated, e.g. `eth0`.
   * `auto`: the machine's first non-loopback IPv4 interface. Janus 1.1.2 gathers no loopback
   * candidates at all (`lo` makes it fall back to every interface), so even a one-machine setup
   * uses the machine's own address; the kernel delivers that traffic locally.
   */
  iceEnforceList: z.string().default('auto'),
  rtpPortRange: z.string().regex(/^\d{2,5}-\d{2,5}$/).default('20000-40000'),
  /** Public address to advertise when Janus is behind 1:1 NAT. */
  natPublicIp: z.union([z.ipv4(), z.ipv6()]).optional(),
});

const limitsConfig = z.strictObject({
  /**
   * People per meeting besides its hosts and co-hosts, waiting room included: 100 means the host and 100
   * others. At most 1000, the size the protocol's messages are bounded for.
   */
  maxParticipantsPerMeeting: z.number().int().min(1).max(MAX_MEETING_PARTICIPANTS).default(100),
  maxMeetings: z.number().int().min(1).default(1000),
  maxMeetingsPerAddress: z.number().int().min(1).default(10),
  maxConnectionsPerAddress: z.number().int().min(1).default(50),
  /** A meeting with no one in it for this long ends. */
  emptyMeetingSeconds: z.number().int().min(1).default(120),
  /** A meeting the host never started ends after this long. */
  unstartedMeetingMinutes: z.number().int().min(1).default(60),
  /** null: meetings may run as long as the host keeps them. */
  maxMeetingMinutes: z.number().int().min(1).nullable().default(null),
  /** How long a participant whose connection dropped keeps their place. */
  resumeGraceSeconds: z.number().int().min(1).max(600).default(30),
});

/**
 * The operator's endpoints. /healthz and /readyz are always on the public port (they say only up or down).
 * /metrics is on the public port only with a bearer token, and on a separate listener when `port` is set.
 */
const metricsConfig = z.strictObject({
  /** A second listener with /metrics, /healthz and /readyz only. null: none. */
  port: z.number().int().min(0).max(65535).nullable().default(null),
  /** Address of that listener; anything but loopback needs `token`. */
  host: z.string().default('127.0.0.1'),
  /** Bearer token for /metrics (on both listeners when set); long enough not to be guessed. */
  token: z.string().min(32).max(512).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

/**
 * The TURN relay for browsers whose network blocks UDP (docs/configuration.md, docs/threat-model.md).
 * `spawn`: Sabha runs Debian's coturn with a private config that relays only to Janus. `external`: a TURN
 * server you run, with the TURN REST API secret. `off`: no relay (such browsers get no media).
 */
const turnConfig = z.strictObject({
  mode: z.enum(['spawn', 'external', 'off']).default('spawn'),
  binary: z.string().default('turnserver'),
  /** (`spawn`) UDP and TCP port; 0 picks a free one at each start. */
  port: z.number().int().min(0).max(65535).default(3478),
  /** (`spawn`) TLS port (443 or 5349 in production); null: no TLS listener; 0 picks a free one. */
  tlsPort: z.number().int().min(0).max(65535).nullable().default(5349),
  /** (`spawn`) Address coturn listens on; null: the same as `host` (every address for 0.0.0.0 or ::). */
  listenIp: z.union([z.ipv4(), z.ipv6()]).nullable().default(null),
  /** Host name or address written into the TURN URLs; null: the one the browser used to reach Sabha. */
  publicHost: z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$/).nullable().default(null),
  /** (`spawn`) UDP ports coturn relays from. */
  relayPortRange: z.string().regex(/^\d{2,5}-\d{2,5}$/).default('49152-65535'),
  /** How long a credential is valid; renewed at half of it while the participant stays. */
  credentialTtlSeconds: z.number().int().min(60).max(86_400).default(600),
  /** (`external`, required) The server's `turn:`/`turns:` URLs. */
  urls: z.array(z.string().regex(/^turns?:\S+$/)).min(1).max(4).optional(),
  /** (`external`, required) Its `static-auth-secret`. */
  secret: z.string().min(32).optional(),
});

/**
 * Single sign-on with the organisation's OpenID Connect provider (src/server/accounts/oidc/). null: off.
 * Users are matched by verified e-mail; `autoCreateUsers` lets an unknown verified e-mail become a member.
 */
/**
 * The organisation's mail server, for personal invitations to scheduled meetings (src/server/schedules/mailer.ts).
 * null: no e-mail; the host's schedule page shows each invitee's link to send by hand.
 */
const smtpConfig = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it (port 587 or 25). */
  secure: z.boolean().default(false),
  user: z.string().min(1).max(512).optional(),
  password: z.string().min(1).max(1024).optional(),
  /** The sender of invitations, e.g. `Sabha <meet@example.org>`. */
  from: z.string().min(3).max(320).regex(/^[^\r\n]+$/, 'one line'),
});

const oidcConfig = z.strictObject({
  /** The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. https, or http on loopback for tests. */
  issuer: z.url(),
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(1024),
  /** The sign-in button's text, e.g. the organisation's name. */
  label: z.string().min(1).max(80).default('Single sign-on'),
  autoCreateUsers: z.boolean().default(false),
});

/**
 * Where accounts, sessions, schedules, invitations and the audit log are stored (never meeting content):
 * embedded SQLite (default) or a PostgreSQL shared by several nodes (src/server/store/, docs/accounts.md).
 */
const databaseConfig = z.strictObject({
  kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** null: `<dataDir>/sabha.db`. */
  sqliteFile: z.string().min(1).nullable().default(null),
  /** (`postgres`, required) e.g. `postgresql://sabha:…@db.example/sabha`. A secret: it holds the password. */
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL').optional(),
});

export const sabhaConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8443),
  /**
   * `auto`: plain HTTP when listening on loopback only, HTTPS otherwise (with the given
   * certificate, or a self-signed one that Sabha generates and reports).
   */
  tls: z.enum(['auto', 'on', 'off']).default('auto'),
  tlsCertFile: z.string().optional(),
  tlsKeyFile: z.string().optional(),
  /** Private working directory (Janus config, generated certificate). */
  dataDir: z.string().default('var'),
  /** Take the client address from X-Forwarded-For (only behind a trusted reverse proxy). */
  trustProxy: z.boolean().default(false),
  /**
   * Who may create meetings: `accounts` (signed-in users only; the default for a new install) or `anyone`
   * (whoever reaches the server). Joining by link never needs an account. docs/accounts.md.
   */
  whoMayHost: z.enum(['accounts', 'anyone']).default('accounts'),
  /**
   * The address people use to reach Sabha, e.g. `https://meet.example.org` (no path): the base of enrolment and
   * invitation links, and the WebAuthn origin and RP id. null: the URL the server listens on.
   */
  publicUrl: z.url({ protocol: /^https?$/ }).regex(/^https?:\/\/[^/?#]+\/?$/, 'a URL with no path, query or fragment').nullable().default(null),
  janus: janusConfig.default(janusConfig.parse({})),
  limits: limitsConfig.default(limitsConfig.parse({})),
  turn: turnConfig.default(turnConfig.parse({})),
  metrics: metricsConfig.default(metricsConfig.parse({})),
  database: databaseConfig.default(databaseConfig.parse({})),
  oidc: oidcConfig.nullable().default(null),
  smtp: smtpConfig.nullable().default(null),
});
export type SabhaConfig = z.infer<typeof sabhaConfigSchema>;

/** Environment variables that override a configuration key, with how to parse them. */
const ENV_OVERRIDES: Record<string, { path: string[]; parse: (v: string) => unknown }> = {
  SABHA_HOST: { path: ['host'], parse: String },
  SABHA_PORT: { path: ['port'], parse: Number },
  SABHA_TLS: { path: ['tls'], parse: String },
  SABHA_TLS_CERT: { path: ['tlsCertFile'], parse: String },
  SABHA_TLS_KEY: { path: ['tlsKeyFile'], parse: String },
  SABHA_DATA_DIR: { path: ['dataDir'], parse: String },
  SABHA_TRUST_PROXY: { path: ['trustProxy'], parse: (v) => v === 'true' || v === '1' },
  SABHA_WHO_MAY_HOST: { path: ['whoMayHost'], parse: String },
  SABHA_PUBLIC_URL: { path: ['publicUrl'], parse: String },
  SABHA_JANUS_MODE: { path: ['janus', 'mode'], parse: String },
  SABHA_JANUS_BINARY: { path: ['janus', 'binary'], parse: String },
  SABHA_JANUS_URL: { path: ['janus', 'url'], parse: String },
  SABHA_JANUS_API_SECRET: { path: ['janus', 'apiSecret'], parse: String },
  SABHA_JANUS_ADMIN_KEY: { path: ['janus', 'adminKey'], parse: String },
  SABHA_ICE_ENFORCE_LIST: { path: ['janus', 'iceEnforceList'], parse: String },
  SABHA_RTP_PORT_RANGE: { path: ['janus', 'rtpPortRange'], parse: String },
  SABHA_NAT_PUBLIC_IP: { path: ['janus', 'natPublicIp'], parse: String },
  SABHA_TURN_MODE: { path: ['turn', 'mode'], parse: String },
  SABHA_TURN_PORT: { path: ['turn', 'port'], parse: Number },
  SABHA_TURN_TLS_PORT: { path: ['turn', 'tlsPort'], parse: (v) => (v === 'null' ? null : Number(v)) },
  SABHA_TURN_PUBLIC_HOST: { path: ['turn', 'publicHost'], parse: String },
  SABHA_TURN_SECRET: { path: ['turn', 'secret'], parse: String },
  SABHA_MAX_PARTICIPANTS: { path: ['limits', 'maxParticipantsPerMeeting'], parse: Number },
  SABHA_MAX_MEETING_MINUTES: { path: ['limits', 'maxMeetingMinutes'], parse: Number },
  SABHA_METRICS_PORT: { path: ['metrics', 'port'], parse: Number },
  SABHA_METRICS_HOST: { path: ['metrics', 'host'], parse: String },
  SABHA_METRICS_TOKEN: { path: ['metrics', 'token'], parse: String },
  SABHA_DATABASE_KIND: { path: ['database', 'kind'], parse: String },
  SABHA_DATABASE_URL: { path: ['database', 'postgresUrl'], parse: String },
  SABHA_OIDC_ISSUER: { path: ['oidc', 'issuer'], parse: String },
  SABHA_OIDC_CLIENT_ID: { path: ['oidc', 'clientId'], parse: String },
  SABHA_OIDC_CLIENT_SECRET: { path: ['oidc', 'clientSecret'], parse: String },
  SABHA_OIDC_LABEL: { path: ['oidc', 'label'], parse: String },
  SABHA_OIDC_AUTO_CREATE_USERS: { path: ['oidc', 'autoCreateUsers'], parse: (v) => v === 'true' || v === '1' },
  SABHA_SMTP_HOST: { path: ['smtp', 'host'], parse: String },
  SABHA_SMTP_PORT: { path: ['smtp', 'port'], parse: Number },
  SABHA_SMTP_SECURE: { path: ['smtp', 'secure'], parse: (v) => v === 'true' || v === '1' },
  SABHA_SMTP_USER: { path: ['smtp', 'user'], parse: String },
  SABHA_SMTP_PASSWORD: { path: ['smtp', 'password'], parse: String },
  SABHA_SMTP_FROM: { path: ['smtp', 'from'], parse: String },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Builds the configuration from an optional file and the environment; throws ConfigError with every problem. */
export function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: object } = {}): SabhaConfig {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = {};
  const file = options.file ?? env.SABHA_CONFIG;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(error as Error).message}`);
    }
  }
  for (const [name, { path, parse }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, parse(value));
  }
  raw = mergeDeep(raw, (options.overrides ?? {}) as Record<string, unknown>);
  const result = sabhaConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const config = result.data;
  if (config.janus.mode === 'external' && (!config.janus.url || !config.janus.apiSecret)) {
    throw new ConfigError('invalid configuration: janus.mode "external" needs janus.url and janus.apiSecret');
  }
  if (config.metrics.port !== null && !isLoopbackHost(config.metrics.host) && config.metrics.token === undefined) {
    throw new ConfigError('invalid configuration: metrics.host is not loopback, so metrics.token is required');
  }
  if (config.turn.mode === 'external' && (!config.turn.urls || !config.turn.secret)) {
    throw new ConfigError('invalid configuration: turn.mode "external" needs turn.urls and turn.secret');
  }
  if (config.database.kind === 'postgres' && config.database.postgresUrl === undefined) {
    throw new ConfigError('invalid configuration: database.kind "postgres" needs database.postgresUrl');
  }
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ConfigError('invalid configuration: tlsCertFile and tlsKeyFile go together');
  }
  return config;
}

function mergeDeep(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeDeep(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Loopback-only listening allows plain HTTP: browsers treat localhost as a secure context. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
