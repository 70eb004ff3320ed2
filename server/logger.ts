/** The instance's logger: pino on stderr (stdout belongs to --json results), secrets redacted. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      // Never write a secret to a log, whatever object a caller hands over.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          'headers.authorization',
          'headers.cookie',
          'password',
          '*.password',
          'pass',
          '*.pass',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
