/**
 * Structured logging with redaction at the logger: whatever a caller passes, fields
 * that could hold a secret or meeting content (passcodes, keys, tokens, names, chat
 * text, SDP, MLS messages) never reach the output. Messages are fixed strings;
 * variable data goes in fields so that it passes through the redactor.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const REDACTED_FIELD =
  /pass|secret|key|token|name|title|text|body|chat|sdp|candidate|jsep|welcome|commit|mls|cookie|authorization/i;

export type LogFields = Record<string, unknown>;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4) return '[depth]';
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`;
    return value;
  }
  if (value instanceof Error) return { error: value.name, message: redactErrorMessage(value.message) };
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = REDACTED_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** Error texts from libraries can quote their input; keep only the first line, bounded. */
function redactErrorMessage(message: string): string {
  return message.split('\n')[0]!.slice(0, 160);
}

export class Logger {
  constructor(
    private readonly scope: string,
    private readonly minLevel: LogLevel = (process.env.SABHA_LOG_LEVEL as LogLevel) in LEVELS
      ? (process.env.SABHA_LOG_LEVEL as LogLevel)
      : 'info',
    private readonly sink: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  child(scope: string): Logger {
    return new Logger(`${this.scope}.${scope}`, this.minLevel, this.sink);
  }

  debug(msg: string, fields?: LogFields): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.write('error', msg, fields); }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    const entry = { t: new Date().toISOString(), level, scope: this.scope, msg, ...(fields ? (redact(fields) as object) : {}) };
    this.sink(JSON.stringify(entry));
  }
}

export const rootLogger = new Logger('sabha');
