import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that must never reach a log line. */
const REDACT = [
  'password',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** A structured JSON logger; `child({ deviceId })` adds context. */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
