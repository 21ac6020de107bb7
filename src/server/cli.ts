/**
 * `node dist/sabha.mjs user <command>`: manage accounts on the configured database (the same `--config` file and
 * SABHA_* environment as the server; the server may be running meanwhile).
 *
 *   user add <email> [--name "Full Name"] [--admin]   create a user; prints a one-time enrolment link (24 h)
 *   user disable <email>                             refuse sign-in and end every session at once
 *   user enable <email>
 *   user reset <email>                               remove password, TOTP and passkeys, end sessions; prints a link
 *   user list                                        e-mail, name, role, state
 *
 * Links and e-mail addresses go to standard output only: they are for the operator, never for the log.
 * Exit codes: 0 done, 1 failed (a message says why), 2 wrong usage.
 */
import { isLoopbackHost, loadConfig, ConfigError } from './config.ts';
import { Logger } from '../log/logger.ts';
import { openAccounts, type OpenedAccounts } from './accounts/index.ts';
import { enrolLink } from './accounts/context.ts';
import { resetUser } from './accounts/routes/admin-routes.ts';
import { ApiError } from './http/json-api.ts';
import { openDatabase } from './store/open.ts';

const USAGE = `usage: sabha [--config file.json] user add <email> [--name "Full Name"] [--admin]
       sabha [--config file.json] user disable|enable|reset <email>
       sabha [--config file.json] user list`;

class UsageError extends Error {}

interface Parsed {
  configFile: string | undefined;
  command: string;
  email: string | undefined;
  name: string | undefined;
  admin: boolean;
}

function parse(argv: string[]): Parsed {
  const args = [...argv];
  let configFile: string | undefined;
  let name: string | undefined;
  let admin = false;
  const positional: string[] = [];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--config') configFile = args.shift() ?? fail('--config needs a file');
    else if (arg === '--name') name = args.shift() ?? fail('--name needs a value');
    else if (arg === '--admin') admin = true;
    else if (arg.startsWith('--')) fail(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const [group, command, email, ...rest] = positional;
  if (group !== 'user' || !command || rest.length > 0) fail('');
  if (command === 'list' ? email !== undefined : email === undefined) fail('');
  if (!['add', 'disable', 'enable', 'reset', 'list'].includes(command)) fail(`unknown command ${command}`);
  if ((name !== undefined || admin) && command !== 'add') fail('--name and --admin go with "user add"');
  return { configFile, command, email, name, admin };
}

function fail(message: string): never {
  throw new UsageError(message);
}

async function run(parsed: Parsed, accounts: OpenedAccounts, write: (line: string) => void): Promise<void> {
  const { users, sessions, audit, context } = accounts;
  const record = (type: Parameters<typeof audit.record>[0]['type'], userId: string) => audit.record({ type, userId, address: 'cli' });
  if (parsed.command === 'list') {
    for (const user of await users.list()) write([user.email, user.displayName, user.role, user.disabled ? 'disabled' : 'active'].join('\t'));
    return;
  }
  const email = parsed.email!;
  if (parsed.command === 'add') {
    const displayName = parsed.name ?? email.split('@')[0]!;
    const user = await users.create({ email, displayName, role: parsed.admin ? 'admin' : 'member' });
    const token = await context.enrolment.issue(user.id, 'enrol');
    await record('user-created', user.id);
    await record('enrolment-created', user.id);
    write(`Created ${user.role} ${user.email}. One-time enrolment link (valid 24 hours):`);
    write(`  ${enrolLink(context, token)}`);
    return;
  }
  const user = await users.byEmail(email);
  if (!user) throw new Error(`no user ${email}`);
  if (parsed.command === 'disable') {
    await users.setDisabled(user.id, true);
    await sessions.revokeAll(user.id);
    await record('user-disabled', user.id);
    write(`Disabled ${user.email}; their sessions have ended.`);
  } else if (parsed.command === 'enable') {
    await users.setDisabled(user.id, false);
    await record('user-enabled', user.id);
    write(`Enabled ${user.email}.`);
  } else {
    const token = await resetUser(context, user.id);
    await record('user-reset', user.id);
    write(`Reset ${user.email}: password, TOTP and passkeys removed, sessions ended. One-time enrolment link (valid 24 hours):`);
    write(`  ${enrolLink(context, token)}`);
  }
}

/** Runs the CLI; returns the exit code. Exported for tests. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = (l) => process.stdout.write(l + '\n'), err: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) err(error.message);
      err(USAGE);
      return 2;
    }
    throw error;
  }
  try {
    const config = loadConfig({ file: parsed.configFile, env });
    const db = await openDatabase(config.database, config.dataDir);
    const tls = config.tls === 'on' || (config.tls === 'auto' && !isLoopbackHost(config.host));
    const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const accounts = await openAccounts({ config, db, log: new Logger('sabha-cli', 'error'), tls, listenUrl: () => `${tls ? 'https' : 'http'}://${host}:${config.port}` });
    try {
      await run(parsed, accounts, out);
    } finally {
      await accounts.close();
      await db.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) err(error.message);
    else if (error instanceof ApiError) err(error.code === 'email-taken' ? 'a user with that e-mail already exists' : error.code === 'bad-email' ? 'that is not an e-mail address' : error.code);
    else err((error as Error).message ?? 'failed');
    return 1;
  }
}

// Run when this file is the entry point (dist/sabha.mjs, or `node --import tsx src/server/cli.ts`), not when imported.
if (process.argv[1] && /(?:sabha\.mjs|cli\.ts)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
