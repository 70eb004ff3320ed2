/** The load generator's command line: bounded on purpose (clients, seconds and items have ceilings). */
import { parseArgs } from 'node:util';

export interface LoadOptions {
  clients: number;
  seconds: number;
  items: number;
  seed: number;
  json: boolean;
  keep: boolean;
}

export const USAGE = `usage: npm run load -- [--clients N] [--seconds S] [--items N] [--seed N] [--json] [--keep]
  --clients N   concurrent s15n clones syncing against one server (default 20, at most 100)
  --seconds S   length of the load phase (default 30, at most 600)
  --items N     items of the master tracker (default 2000, from 10 to 100000)
  --seed N      seed of every random choice (default 1)
  --json        print the figures as JSON on stdout (progress still goes to stderr)
  --keep        keep the temporary data dirs (their path is printed)
The server listens on 127.0.0.1 (port 0) in its own process; nothing leaves loopback.
Exit codes: 0 no errors, 1 errors (or a lost change), 2 bad usage.`;

export class UsageError extends Error {}

function integer(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The options, or null after --help (the usage is printed). Throws UsageError on bad input. */
export function parseOptions(argv: string[]): LoadOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        clients: { type: 'string' },
        seconds: { type: 'string' },
        items: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  return {
    clients: integer(values.clients, 'clients', 20, 1, 100),
    seconds: integer(values.seconds, 'seconds', 30, 1, 600),
    items: integer(values.items, 'items', 2000, 10, 100_000),
    seed: integer(values.seed, 'seed', 1, 0, 2 ** 31 - 1),
    json: values.json,
    keep: values.keep,
  };
}
