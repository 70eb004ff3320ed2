/** The instance's logger: pino on stderr (stdout belongs to --json results), secrets redacted. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
