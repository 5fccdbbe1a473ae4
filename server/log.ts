/**
 * A small levelled logger. Secrets never reach it: callers log ids and
 * outcomes, not tokens; `redact` scrubs anything shaped like a token anyway.
 * One call writes one line: control characters are escaped.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** `id.secret` tokens (two base32 runs) and long base32 runs. */
const TOKEN_LIKE = /\b[a-z2-7]{24,64}(\.[a-z2-7]{24,64})?\b/g;

export function redact(text: string): string {
  return text.replace(TOKEN_LIKE, '[redacted]');
}

/** Query parameters that carry a credential (`authToken`, `auth_token`, `apiKey`, `password`, `sig`…). */
const SECRET_PARAM = /token|auth|key|secret|pass|pwd|credential|^sig$|signature/i;

/**
 * A URL as it may be printed: userinfo (`user:password@`) and credential-like
 * query parameters replaced by `[redacted]`; otherwise the text as written
 * (`file:data/app.db` stays as it is).
 *
 * @example
 * redactUrl('libsql://db.example?authToken=eyJ…'); // 'libsql://db.example?authToken=[redacted]'
 */
export function redactUrl(url: string): string {
  const withoutUser = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1[redacted]@');
  const query = withoutUser.indexOf('?');
  if (query < 0) return withoutUser;
  const hash = withoutUser.indexOf('#', query);
  const end = hash < 0 ? withoutUser.length : hash;
  const params = withoutUser
    .slice(query + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 && SECRET_PARAM.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return `${withoutUser.slice(0, query + 1)}${params.join('&')}${withoutUser.slice(end)}`;
}

/** C0 controls, DEL, C1 controls and the two Unicode line breaks: each could end or rewrite a log line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`);
}

/**
 * Writes control characters as escapes (`\n`, `\x1b`, `\u2028`), so text a
 * client chose (a procedure path, a header) can never start a line of its own
 * or rewrite the terminal.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

export interface Logger {
  level: LogLevel;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * An error as a log line shows it. Drizzle's query errors put the statement's
 * parameters (session ids, secret hashes, user data) in their message and
 * stack: those show the query and the driver's own error instead.
 */
function describeError(error: Error): string {
  const { query, params, cause } = error as Error & { query?: unknown; params?: unknown; cause?: unknown };
  if (typeof query === 'string' && params !== undefined) {
    const reason = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    return `${error.name}: Failed query: ${query}${reason ? ` (${reason})` : ''}`;
  }
  return error.stack ?? error.message;
}

/**
 * A field's value as logfmt writes it: bare when it is one plain word,
 * otherwise in double quotes with `"` and `\` escaped, so a value holding
 * ` user=admin` cannot pose as a field of its own.
 */
function logfmtValue(value: string): string {
  return value !== '' && !/[\s="\\]/.test(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function format(level: LogLevel, message: string, fields?: Record<string, unknown>): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      const value = v instanceof Error ? describeError(v) : typeof v === 'string' ? v : JSON.stringify(v);
      line += ` ${k}=${logfmtValue(value ?? 'undefined')}`;
    }
  }
  // The whole line: the message, every field's name and value (an error's stack too).
  return escapeControlCharacters(redact(line));
}

/** A logger writing to stderr (warn, error) and stdout (debug, info). */
export function createLogger(level: LogLevel = 'info', sink?: (line: string, level: LogLevel) => void): Logger {
  const write =
    sink ??
    ((line: string, lvl: LogLevel) => {
      if (ORDER[lvl] >= ORDER.warn) console.error(line);
      else console.log(line);
    });
  const logger: Logger = {
    level,
    debug: (m, f) => ORDER[logger.level] <= ORDER.debug && write(format('debug', m, f), 'debug'),
    info: (m, f) => ORDER[logger.level] <= ORDER.info && write(format('info', m, f), 'info'),
    warn: (m, f) => ORDER[logger.level] <= ORDER.warn && write(format('warn', m, f), 'warn'),
    error: (m, f) => ORDER[logger.level] <= ORDER.error && write(format('error', m, f), 'error'),
  };
  return logger;
}
