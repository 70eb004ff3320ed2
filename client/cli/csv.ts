/** `tracker import FILE.csv --into TRACKER [--match F,…] [--dry-run]` and `tracker export TRACKER --csv`: items in and out as CSV (DESIGN §13). */
import type { Command } from 'commander';
import { csvChunks } from '../../server/csv-export.js';
import type { HubStore, Tracker } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';
import { type CsvColumn, inFileTerms, readCsvRows } from '../../shared/model/csv.js';
import { keyFields } from '../../shared/model/keys.js';
import { type UpsertResult, checkMatch } from '../../shared/model/upsert.js';
import { output } from './context.js';

export interface CsvImportOptions {
  into: string;
  /** `F,G`; the tracker's key fields when absent. */
  match?: string;
  dryRun?: boolean;
}

export interface CsvImportReport extends UpsertResult {
  tracker: { id: number; name: string };
  rows: number;
  match: string[];
}

/** The match fields: those named, else the key fields the file has columns for. */
function matchFields(tracker: Tracker, columns: readonly CsvColumn[], named: string | undefined): string[] {
  const present = new Set(columns.filter((c) => c.field).map((c) => c.name));
  if (named === undefined) return keyFields(tracker.fields).map((f) => f.name).filter((name) => present.has(name));
  const match = named.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  const problems = checkMatch(tracker.fields, match, present);
  if (problems.length > 0) throw BadInput.from(problems, 'invalid --match');
  return match;
}

/** Reads the CSV text into the tracker in one transaction; every problem is named by the file's row and column. */
export async function importCsv(hub: HubStore, tracker: Tracker, text: string, opts: Omit<CsvImportOptions, 'into'>): Promise<CsvImportReport> {
  const { columns, rows } = readCsvRows(tracker.fields, text);
  const match = matchFields(tracker, columns, opts.match);
  try {
    const result = await hub.upsertItems(tracker.id, rows, { match, dryRun: opts.dryRun === true }, null);
    return { tracker: { id: tracker.id, name: tracker.name }, rows: rows.length, match, ...result };
  } catch (error) {
    if (error instanceof BadInput) throw BadInput.from(error.problems.map((p) => inFileTerms(p, columns)), `refused the file; nothing was imported`);
    throw error;
  }
}

export function describeImport(report: CsvImportReport): string {
  const { created, updated, unchanged } = report;
  const by = report.match.length > 0 ? `matched by ${report.match.join(', ')}` : 'no match fields: every row creates an item';
  const verb = report.dryRun ? 'dry run, nothing written: would import' : 'imported';
  return `${verb} ${report.rows} row${report.rows === 1 ? '' : 's'} into ${report.tracker.name} (${by}): ${created} created, ${updated} updated, ${unchanged} unchanged`;
}

export async function printImport(command: Command, hub: HubStore, tracker: Tracker, text: string, opts: Omit<CsvImportOptions, 'into'>): Promise<void> {
  const report = await importCsv(hub, tracker, text, opts);
  output(command, report, describeImport(report));
}

/** Streams a tracker's items to stdout as CSV, waiting whenever the pipe is full: memory stays flat at any size. */
export async function exportCsv(hub: HubStore, tracker: Tracker): Promise<void> {
  for await (const chunk of csvChunks(hub, tracker)) {
    if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
