/** The bench's command line, and the machine it runs on (printed with every result). */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { type LinkShape, parseLink } from '../../test/faults/link.js';
import { STARTUP_ITEMS } from './startup.js';

/** The live bench's master (its figures do not grow with the tracker; its rounds use the first 600 items). */
export const LIVE_ITEMS = 1000;

export interface BenchOptions {
  items: number;
  runs: number;
  json: boolean;
  out: string;
  /** Only the clone memory check, on a master of this many items. */
  cloneRss: number | null;
  /** Only the CSV import of this many items, against the JSON import of the same items. */
  csvImport: number | null;
  /** Only the peak RSS of `tracker export --csv` at a tenth of this many items and at this many. */
  csvExport: number | null;
  /** Only the start-up times of the built CLI (`node -e 0`, `--version`, `item list`), on a tracker of `items` items. */
  startup: boolean;
  /** Only the partial-clone figures (DESIGN §12): verify against clone, and a filtered reload of 1%. */
  partial: boolean;
  /** With --startup: the CLI to time instead of this build's (an older build's main.js, to compare). */
  cli: string | null;
  /** Only the clone of 1,000 items carrying this many MB of attachments, against the raw copy of the same bytes. */
  attachments: number | null;
  /** Only the live sync figures (`sync --watch`): propagation with 1 and 20 watchers, local edits, idle watchers. */
  live: boolean;
  /** With --live: how long the 100 watchers stay idle (s). */
  idleSeconds: number;
  /** Write a CPU profile of every child process (node --cpu-prof) next to the results. */
  profile: boolean;
  /** Keep the temporary data dirs (their path is printed). */
  keep: boolean;
  /** Only the hub measures (scripts/bench/hub.ts): SQLite and PostgreSQL hubs of `items` items. */
  hub: boolean;
  /** With --hub: how long each writer count pushes. */
  seconds: number;
  /** With --hub: an empty PostgreSQL database instead of the bench's own cluster. */
  pg: string | null;
  /** Only the shaped-link measures: clone, reload, push through a link of this bandwidth and latency. */
  link: LinkShape | null;
}

export const USAGE = `usage: npm run bench -- [--items N] [--runs R] [--json] [--out FILE] [--clone-rss N | --csv-import N | --csv-export N | --startup [--cli FILE] | --partial | --live [--idle-seconds S] | --hub [--seconds S] [--pg URL] | --link BW,LAT | --attachments MB] [--profile] [--keep]
  --items N      items of the master (default 10000; the targets are set for 100000; with --startup 1000)
  --runs R       runs of every measure; the table shows the median and min–max (default 3; with --startup 10)
  --json         print only the JSON document on stdout (progress still goes to stderr)
  --out FILE     where the JSON goes (default bench-results/latest.json)
  --clone-rss N  only measure the peak RSS of client and server during the clone of N items
  --csv-import N only time tracker import of N items as CSV against the JSON import of the same items (--runs R)
  --csv-export N only measure the peak RSS of tracker export --csv at N/10 and at N items
  --startup      only time the CLI's start: node -e 0, s15n --version, s15n item list, interleaved
  --cli FILE     with --startup: time this main.js instead of dist/client/cli/main.js (an older build)
  --attachments MB  only the clone of 1,000 items carrying MB megabytes of files, against a raw copy of the same bytes (check the disk: 3 × MB)
  --partial      only the partial-clone figures: reload --verify of an unchanged clone against cloning it again
                 (time and bytes), and a reload of 1% changes in a clone filtered to 10%
  --live         only live sync: propagation to 1 and 20 watchers, local edits to the master, 100 idle watchers (items default 1000)
  --idle-seconds S  with --live: how long the idle watchers are watched (default 60)
  --hub          only the hub: the same hub (--items, default 1000000) on SQLite and PostgreSQL, concurrent clones, writers
  --seconds S    with --hub: how long each number of writers pushes (default 10)
  --pg URL       with --hub: an empty PostgreSQL database to use (default: a throwaway durable cluster)
  --link BW,LAT  only clone, reload and push through a shaped link, e.g. 20mbit,40ms (40 ms each way):
                 s15n with and without compression, and PouchDB
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
      'csv-import': { type: 'string' },
      'csv-export': { type: 'string' },
      startup: { type: 'boolean', default: false },
      partial: { type: 'boolean', default: false },
      cli: { type: 'string' },
      attachments: { type: 'string' },
      live: { type: 'boolean', default: false },
      'idle-seconds': { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      hub: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      pg: { type: 'string' },
      link: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const alone = ['startup', 'clone-rss', 'partial', 'csv-import', 'csv-export', 'live', 'hub', 'link', 'attachments'].filter((name) => values[name as 'startup'] !== undefined && values[name as 'startup'] !== false);
  if (alone.length > 1) throw new Error(`--${alone.join(' and --')} are separate runs; give one\n${USAGE}`);
  if (values.cli !== undefined && !values.startup) throw new Error(`--cli goes with --startup\n${USAGE}`);
  if (values['idle-seconds'] !== undefined && !values.live) throw new Error(`--idle-seconds goes with --live\n${USAGE}`);
  if ((values.seconds !== undefined || values.pg !== undefined) && !values.hub) throw new Error(`--seconds and --pg go with --hub\n${USAGE}`);
  return {
    items: count(values.items, 'items', values.startup ? STARTUP_ITEMS : values.live ? LIVE_ITEMS : values.hub ? 1_000_000 : 10_000, values.live ? LIVE_ITEMS : 100),
    runs: count(values.runs, 'runs', values.startup ? 10 : 3),
    json: values.json,
    out: values.out,
    cloneRss: values['clone-rss'] === undefined ? null : count(values['clone-rss'], 'clone-rss', 0, 100),
    csvImport: values['csv-import'] === undefined ? null : count(values['csv-import'], 'csv-import', 0, 100),
    csvExport: values['csv-export'] === undefined ? null : count(values['csv-export'], 'csv-export', 0, 1000),
    startup: values.startup,
    partial: values.partial,
    cli: values.cli ?? null,
    attachments: values.attachments === undefined ? null : count(values.attachments, 'attachments', 0, 1),
    live: values.live,
    idleSeconds: count(values['idle-seconds'], 'idle-seconds', 60),
    profile: values.profile,
    keep: values.keep,
    hub: values.hub,
    seconds: count(values.seconds, 'seconds', 10),
    pg: values.pg ?? null,
    link: values.link === undefined ? null : parseLink(values.link),
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
