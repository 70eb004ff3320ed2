/**
 * `--csv-import N`: `s15n tracker import` of N items as CSV (`--into` a tracker of the same
 * schema) against the same items as a JSON import file, through the built CLI, interleaved, in
 * one run (target: CSV within 2× of JSON). `--csv-export N`: the peak RSS of `s15n tracker export
 * --csv` at N/10 and at N items, streamed to a pipe that drains it (target: flat, under 300 MB).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvHeader, csvRecord, stringifyCsv } from '../../shared/model/csv.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { Measured, SuiteResult } from './figures.js';
import { FIELDS, TRACKER_NAME, benchItem } from './items.js';
import type { Processes } from './processes.js';
import { type Target, median, metric } from './report.js';
import { BUILT_CLI } from './startup.js';

export const CSV_IMPORT_GOAL = 2;
export const EXPORT_RSS_LIMIT_MB = 300;

const DEFS: FieldDef[] = FIELDS.map((f) => ({ name: f.name, label: f.name, type: f.type as FieldDef['type'], required: f.required === true, ...(f.options ? { options: f.options } : {}) }));

function cli(args: readonly string[], cwd: string): { ms: number; stdout: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [BUILT_CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.error || result.status !== 0) throw new Error(`s15n ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr.slice(0, 500)}`);
  return { ms, stdout: result.stdout };
}

/** The same items as a JSON import file and as a CSV file; the bench items are canonical, so both import to the same values. */
function writeFiles(root: string, items: number): { json: string; csv: string } {
  const all = Array.from({ length: items }, (_, i) => benchItem(i));
  const json = join(root, 'items.json');
  const csv = join(root, 'items.csv');
  writeFileSync(json, JSON.stringify({ name: TRACKER_NAME, fields: FIELDS, items: all }));
  const chunks = [stringifyCsv([csvHeader(DEFS)])];
  for (let i = 0; i < all.length; i += 5000) chunks.push(stringifyCsv(all.slice(i, i + 5000).map((item) => csvRecord(DEFS, item))));
  writeFileSync(csv, chunks.join(''));
  return { json, csv };
}

function importOnce(root: string, run: number, kind: 'json' | 'csv', file: string, items: number): number {
  const data = join(root, `csv-${kind}-${run}`);
  cli(['--data', data, 'init'], root);
  if (kind === 'json') {
    const out = cli(['--data', data, '--json', 'tracker', 'import', file], root);
    if ((JSON.parse(out.stdout) as { items: number }).items !== items) throw new Error('the JSON import did not load every item');
    return out.ms;
  }
  cli(['--data', data, 'tracker', 'create', TRACKER_NAME, '--fields', JSON.stringify(FIELDS)], root);
  const out = cli(['--data', data, '--json', 'tracker', 'import', file, '--into', TRACKER_NAME], root);
  if ((JSON.parse(out.stdout) as { created: number }).created !== items) throw new Error('the CSV import did not create every item');
  return out.ms;
}

export function runCsvImport(root: string, items: number, runs: number, log: (line: string) => void): SuiteResult {
  log(`writing ${items} items as JSON and as CSV`);
  const files = writeFiles(root, items);
  const times = { json: [] as number[], csv: [] as number[] };
  for (let run = 0; run < runs; run++) {
    // Alternating which goes first, so neither always meets a warm or a cold disk cache.
    for (const kind of run % 2 === 0 ? (['json', 'csv'] as const) : (['csv', 'json'] as const)) times[kind].push(importOnce(root, run, kind, files[kind], items));
    log(`  run ${run + 1}/${runs}: JSON ${times.json.at(-1)!.toFixed(0)} ms, CSV ${times.csv.at(-1)!.toFixed(0)} ms`);
  }
  const ratio = median(times.csv)! / median(times.json)!;
  const target: Target = { name: `CSV import of ${items} items vs the JSON import of the same items`, goal: `≤ ${CSV_IMPORT_GOAL}×`, measured: `${ratio.toFixed(2)}×`, status: ratio <= CSV_IMPORT_GOAL ? 'met' : 'missed' };
  return {
    metrics: { jsonImport: metric(`s15n tracker import (JSON, ${items} items)`, 'ms', times.json), csvImport: metric(`s15n tracker import --into (CSV, ${items} items)`, 'ms', times.csv) },
    targets: [target],
    details: { ratio: Math.round(ratio * 100) / 100, bytes: { json: readFileSync(files.json).length, csv: readFileSync(files.csv).length } },
  };
}

/** Exports the bench tracker of `data` to a pipe that drains it; the export's peak RSS (VmHWM, read until it exits) and bytes. */
async function exportPeak(data: string, cwd: string): Promise<{ ms: number; rssMb: number; bytes: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [BUILT_CLI, '--data', data, 'tracker', 'export', TRACKER_NAME, '--csv'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  let peakKb = 0;
  child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const poll = setInterval(() => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // Gone between two polls: the last reading stands.
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`tracker export --csv exited ${code}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rssMb: Math.round(peakKb / 102.4) / 10, bytes };
}

export async function runCsvExport(p: Processes, root: string, items: number, log: (line: string) => void): Promise<SuiteResult> {
  const sizes = [Math.max(100, Math.round(items / 10)), items];
  const results = [];
  for (const size of sizes) {
    const dir = join(root, `export-${size}`);
    log(`building an instance of ${size} items`);
    const built = await p.task<Measured<{ trackerId: number }>>('buildMaster', { dir, items: size });
    log(`  built in ${(built.ms / 1000).toFixed(1)} s; exporting`);
    const done = await exportPeak(dir, root);
    log(`  exported ${(done.bytes / 2 ** 20).toFixed(0)} MiB in ${(done.ms / 1000).toFixed(1)} s, peak RSS ${done.rssMb} MB`);
    results.push({ size, ...done });
  }
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  const growth = large.rssMb - small.rssMb;
  return {
    metrics: Object.fromEntries(results.flatMap((r) => [[`export${r.size}`, metric(`s15n tracker export --csv (${r.size} items)`, 'ms', [r.ms])], [`exportRss${r.size}`, metric(`export peak RSS (${r.size} items)`, 'MB', [r.rssMb])]])),
    targets: [
      { name: `export peak RSS at ${large.size} items`, goal: `< ${EXPORT_RSS_LIMIT_MB} MB`, measured: `${large.rssMb} MB`, status: large.rssMb < EXPORT_RSS_LIMIT_MB ? 'met' : 'missed' },
      { name: `export peak RSS from ${small.size} to ${large.size} items (flat)`, goal: '< 20 MB more', measured: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`, status: growth < 20 ? 'met' : 'missed' },
    ],
    details: { results },
  };
}
