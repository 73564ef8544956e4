export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Structured context for one log line (JSON keys, or key=value in text). */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Logs go to stderr so that command output on stdout (embeddings, JSON) stays clean for pipes.
 * `json`: one object per line, for log collectors in production.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line), format: LogFormat = 'text'): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (RANK[l] < RANK[level]) return;
    const time = new Date().toISOString();
    if (format === 'json') write(`${JSON.stringify({ time, level: l, msg: message, ...fields })}\n`);
    else write(`${time} ${l.padEnd(5)} ${message}${fields ? textFields(fields) : ''}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function textFields(fields: LogFields): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`;
  }
  return out;
}

export const silentLogger: Logger = createLogger('silent');
