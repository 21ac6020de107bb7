/**
 * A small lexer for the SQL text repositories write: it tells code from what only looks like code (quoted
 * strings and identifiers, comments, PostgreSQL dollar-quoted bodies), so that a `?` or `;` inside
 * `'what?'` is never taken for a placeholder or the end of a statement. Both drivers use it: PostgreSQL to
 * number placeholders, both to refuse a second statement that a driver would otherwise drop or run unasked,
 * and the migration runner to split a migration into statements.
 */

interface Segment {
  readonly code: boolean;
  readonly text: string;
}

/** Splits `sql` into code and non-code (string, quoted identifier, comment) segments, in order. */
function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let codeStart = 0;
  let i = 0;
  const pushCode = (end: number): void => {
    if (end > codeStart) out.push({ code: true, text: sql.slice(codeStart, end) });
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    let end = -1;
    if (c === "'" || c === '"') {
      // PostgreSQL's E'...' strings take backslash escapes; elsewhere a doubled quote is the only escape.
      const escapeString = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      end = quotedEnd(sql, i, c, escapeString);
    } else if (c === '-' && next === '-') {
      const newline = sql.indexOf('\n', i);
      end = newline === -1 ? sql.length : newline + 1;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close === -1 ? sql.length : close + 2;
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close === -1 ? sql.length : close + tag[0].length;
      }
    }
    if (end === -1) {
      i++;
      continue;
    }
    pushCode(i);
    out.push({ code: false, text: sql.slice(i, end) });
    i = end;
    codeStart = end;
  }
  pushCode(sql.length);
  return out;
}

function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length; // unterminated: the database reports it
}

/** The statements of `sql`, split at top-level semicolons; empty and comment-only pieces are left out. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  for (const segment of segments(sql)) {
    if (!segment.code) {
      current += segment.text;
      if (!/^(--|\/\*)/.test(segment.text)) hasCode = true;
      continue;
    }
    const parts = segment.text.split(';');
    parts.forEach((part, index) => {
      if (index > 0) {
        if (hasCode) statements.push(current.trim());
        current = '';
        hasCode = false;
      }
      current += part;
      if (part.trim() !== '') hasCode = true;
    });
  }
  if (hasCode) statements.push(current.trim());
  return statements;
}

/** Throws TypeError unless `sql` is exactly one statement (node:sqlite would silently drop the rest). */
export function assertOneStatement(sql: string): void {
  const count = splitStatements(sql).length;
  if (count !== 1) throw new TypeError(`expected one SQL statement, got ${count}`);
}

/** Rewrites each `?` placeholder outside strings, identifiers and comments as `$1`, `$2`, … (PostgreSQL). */
export function numberPlaceholders(sql: string): { text: string; count: number } {
  let count = 0;
  const text = segments(sql)
    .map((s) => (s.code ? s.text.replace(/\?/g, () => `$${++count}`) : s.text))
    .join('');
  return { text, count };
}
