/**
 * Structured logging with pino: JSON lines by default, pretty-printed when stdout is a TTY.
 * Never log tokens, passwords, cookies or message bodies: the redact list is the backstop,
 * the call sites are the first line (they pass metadata only).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const redactPaths = [
  'password',
  'token',
  'authorization',
  'cookie',
  'text',
  '*.password',
  '*.token',
  '*.authorization',
  '*.cookie',
  '*.text',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    level,
    base: { service: 'rampart' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

/** A logger that drops everything (tests, operator commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
