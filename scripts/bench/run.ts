/**
 * `npm run bench`: builds a master in a temp data dir, measures the floor, PouchDB and s15n on
 * real instances over loopback (servers and clients in their own processes), prints the
 * figures as Markdown tables and writes them as JSON (bench-results/latest.json by default).
 * `--clone-rss N`, `--startup`, `--live` and `--hub` (scripts/bench/hub.ts) run one measure alone, in the same document shape.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ATTACHMENT_ITEMS, runAttachments } from './attachments-suite.js';
import { runCloneRss } from './clone-rss.js';
import { runLink } from './link.js';
import { runCsvExport, runCsvImport } from './csv.js';
import { type BenchOptions, machine, parseOptions } from './options.js';
import { type Processes, processes } from './processes.js';
import { renderTables } from './report.js';
import { type SuiteResult, TARGET_ITEMS } from './figures.js';
import { runPartial } from './partial.js';
import { STARTUP_ITEMS, runStartup } from './startup.js';
import { runSuite } from './suite.js';
import { runLive } from './live.js';

const round2 = (n: number) => Math.round(n * 100) / 100;

type Mode = 'full' | 'clone-rss' | 'startup' | 'partial' | 'live' | 'hub' | 'link' | 'csv-import' | 'csv-export' | 'attachments';

/** The measure the options ask for, with the items and runs it used. */
async function runMode(options: BenchOptions, p: Processes, root: string, log: (line: string) => void): Promise<{ mode: Mode; items: number; runs: number; result: SuiteResult }> {
  if (options.cloneRss !== null) return { mode: 'clone-rss', items: options.cloneRss, runs: 1, result: await runCloneRss(p, root, options.cloneRss, log) };
  if (options.link) return { mode: 'link', items: options.items, runs: options.runs, result: await runLink(p, root, options.items, options.runs, options.link, log) };
  if (options.csvImport !== null) return { mode: 'csv-import', items: options.csvImport, runs: options.runs, result: runCsvImport(root, options.csvImport, options.runs, log) };
  if (options.csvExport !== null) return { mode: 'csv-export', items: options.csvExport, runs: 1, result: await runCsvExport(p, root, options.csvExport, log) };
  if (options.attachments !== null) return { mode: 'attachments', items: ATTACHMENT_ITEMS, runs: options.runs, result: await runAttachments(p, root, options.attachments, options.runs, log) };
  if (options.hub) {
    const { runHub } = await import('./hub.js');
    return { mode: 'hub', items: options.items, runs: options.runs, result: await runHub(p, root, { items: options.items, runs: options.runs, seconds: options.seconds, pg: options.pg }, log) };
  }
  if (options.startup) return { mode: 'startup', items: options.items, runs: options.runs, result: runStartup(root, options.items, options.runs, options.cli, log) };
  if (options.partial) return { mode: 'partial', items: options.items, runs: options.runs, result: await runPartial(p, root, options.items, options.runs, log) };
  if (options.live) return { mode: 'live', items: options.items, runs: 1, result: await runLive(p, root, options.items, options.idleSeconds, log) };
  return { mode: 'full', items: options.items, runs: options.runs, result: await runSuite(p, root, options.items, options.runs, log) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const root = mkdtempSync(join(tmpdir(), 's15n-bench-'));
  const out = resolve(options.out);
  const p = processes(options.profile ? join(dirname(out), 'profiles') : null);
  const host = machine();
  // Other work on the machine stretches elapsed times (not CPU times): the load says how much there was.
  const loadAtStart = loadavg()[0]!;
  log(`${host.nproc} × ${host.cpu}, node ${host.node}, load ${loadAtStart.toFixed(2)}; data in ${root}`);
  try {
    const { mode, items: measuredItems, runs, result } = await runMode(options, p, root, log);
    const document = {
      machine: host,
      options: { items: measuredItems, runs, mode },
      startedAt: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      loadAverage: { atStart: round2(loadAtStart), atEnd: round2(loadavg()[0]!) },
      ...result,
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      const items = document.options.items;
      const targetItems = mode === 'startup' ? STARTUP_ITEMS : TARGET_ITEMS;
      const size = mode === 'clone-rss' || mode === 'live' || mode === 'hub' || mode === 'attachments' || mode.startsWith('csv') || items === targetItems ? '' : `\nThe targets are set for ${targetItems} items; this run used ${items}.\n`;
      process.stdout.write(
        `\ns15n bench: ${items} items, ${document.options.runs} run(s), ${host.nproc} × ${host.cpu}, node ${host.node}, ${document.durationS} s, ` +
          `load average ${document.loadAverage.atStart} at start, ${document.loadAverage.atEnd} at end\n\n` +
          `${renderTables(Object.values(result.metrics), result.targets)}\n${size}\nJSON: ${out}\n`,
      );
    }
  } finally {
    if (options.keep) log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
