/** The bench's command line, and the machine it runs on (printed with every result). */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { STARTUP_ITEMS } from './startup.js';

export interface BenchOptions {
  items: number;
  runs: number;
  json: boolean;
  out: string;
  /** Only the clone memory check, on a master of this many items. */
  cloneRss: number | null;
  /** Only the start-up times of the built CLI (`node -e 0`, `--version`, `item list`), on a tracker of `items` items. */
  startup: boolean;
  /** Only the partial-clone figures (DESIGN §12): verify against clone, and a filtered reload of 1%. */
  partial: boolean;
  /** With --startup: the CLI to time instead of this build's (an older build's main.js, to compare). */
  cli: string | null;
  /** Write a CPU profile of every child process (node --cpu-prof) next to the results. */
  profile: boolean;
  /** Keep the temporary data dirs (their path is printed). */
  keep: boolean;
}

export const USAGE = `usage: npm run bench -- [--items N] [--runs R] [--json] [--out FILE] [--clone-rss N | --startup [--cli FILE] | --partial] [--profile] [--keep]
  --items N      items of the master (default 10000; the targets are set for 100000; with --startup 1000)
  --runs R       runs of every measure; the table shows the median and min–max (default 3; with --startup 10)
  --json         print only the JSON document on stdout (progress still goes to stderr)
  --out FILE     where the JSON goes (default bench-results/latest.json)
  --clone-rss N  only measure the peak RSS of client and server during the clone of N items
  --startup      only time the CLI's start: node -e 0, s15n --version, s15n item list, interleaved
  --cli FILE     with --startup: time this main.js instead of dist/client/cli/main.js (an older build)
  --partial      only the partial-clone figures: reload --verify of an unchanged clone against cloning it again
                 (time and bytes), and a reload of 1% changes in a clone filtered to 10%
  --profile      CPU profiles of every child process into bench-results/profiles/
  --keep         keep the temporary data dirs`;

function count(text: string | undefined, name: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}\n${USAGE}`);
  return value;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      items: { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results/latest.json' },
      'clone-rss': { type: 'string' },
      startup: { type: 'boolean', default: false },
      partial: { type: 'boolean', default: false },
      cli: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if ([values.startup, values['clone-rss'] !== undefined, values.partial].filter(Boolean).length > 1) throw new Error(`--startup, --clone-rss and --partial are separate runs; give one\n${USAGE}`);
  if (values.cli !== undefined && !values.startup) throw new Error(`--cli goes with --startup\n${USAGE}`);
  return {
    items: count(values.items, 'items', values.startup ? STARTUP_ITEMS : 10_000, 100),
    runs: count(values.runs, 'runs', values.startup ? 10 : 3),
    json: values.json,
    out: values.out,
    cloneRss: values['clone-rss'] === undefined ? null : count(values['clone-rss'], 'clone-rss', 0, 100),
    startup: values.startup,
    partial: values.partial,
    cli: values.cli ?? null,
    profile: values.profile,
    keep: values.keep,
  };
}

export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  platform: string;
  memoryGb: number;
}

export function machine(): Machine {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: the CPU model stays unknown.
  }
  return { nproc: availableParallelism(), cpu, node: process.version, platform: `${process.platform}-${process.arch}`, memoryGb: Math.round(totalmem() / 2 ** 30) };
}
