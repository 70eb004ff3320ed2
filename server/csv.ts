/**
 * A tracker's items in and out as CSV over the HubStore (DESIGN §13), for the CLI, the TUI and
 * `GET …/export.csv` alike: the export a page at a time (memory holds one page whatever the
 * tracker's size), the import judged whole and written in one transaction.
 */
import { BadInput } from '../shared/errors.js';
import { type CsvColumn, csvHeader, csvRecord, inFileTerms, readCsvRows, stringifyCsv } from '../shared/model/csv.js';
import { keyFields } from '../shared/model/keys.js';
import { type UpsertResult, checkMatch } from '../shared/model/upsert.js';
import type { HubStore, Tracker } from './store/index.js';

export const EXPORT_PAGE = 1000;

/** The header, then each page of items (by id), as CSV chunks; a reader that stops early stops the reading. */
export async function* csvChunks(hub: HubStore, tracker: Tracker, pageSize = EXPORT_PAGE): AsyncGenerator<string> {
  yield stringifyCsv([csvHeader(tracker.fields)]);
  let afterId = 0;
  for (;;) {
    const items = await hub.listItems(tracker.id, { afterId, limit: pageSize });
    if (items.length === 0) return;
    yield stringifyCsv(items.map((item) => csvRecord(tracker.fields, item)));
    afterId = items[items.length - 1]!.id;
  }
}

export interface CsvImportOptions {
  /** `F,G`; the tracker's key fields (those the file has) when absent. */
  match?: string;
  dryRun?: boolean;
  /** Told the number of rows once the file is read and every cell parsed, before the store judges and writes them. */
  onRead?: (rows: number) => void;
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

/** Reads CSV text into a tracker in one transaction; every problem is named by the file's row and column. */
export async function importCsv(hub: HubStore, tracker: Tracker, text: string | Buffer, opts: CsvImportOptions, by: string | null = null): Promise<CsvImportReport> {
  const { columns, rows } = readCsvRows(tracker.fields, text);
  const match = matchFields(tracker, columns, opts.match);
  opts.onRead?.(rows.length);
  try {
    const result = await hub.upsertItems(tracker.id, rows, { match, dryRun: opts.dryRun === true }, by);
    return { tracker: { id: tracker.id, name: tracker.name }, rows: rows.length, match, ...result };
  } catch (error) {
    if (error instanceof BadInput) throw BadInput.from(error.problems.map((p) => inFileTerms(p, columns)), 'refused the file; nothing was imported');
    throw error;
  }
}

/** One line for a person: what was (or would be) imported. */
export function describeImport(report: CsvImportReport): string {
  const { created, updated, unchanged } = report;
  const by = report.match.length > 0 ? `matched by ${report.match.join(', ')}` : 'no match fields: every row creates an item';
  const verb = report.dryRun ? 'dry run, nothing written: would import' : 'imported';
  return `${verb} ${report.rows} row${report.rows === 1 ? '' : 's'} into ${report.tracker.name} (${by}): ${created} created, ${updated} updated, ${unchanged} unchanged`;
}
