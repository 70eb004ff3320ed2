/**
 * A tracker's items as RFC 4180 CSV (DESIGN §13): a header row of field names and `status`, one
 * row per item, every cell the text the one value parser reads (shared/model/parse.ts), so an
 * export imports back exactly. Parsing and quoting are csv-parse's and csv-stringify's.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { BadInput } from '../errors.js';
import { type FieldDef, MAX_PROBLEMS, type Problem, STATUS_FIELD, clipText } from './fields.js';
import { fieldText, parseFieldText } from './parse.js';
import type { UpsertRow } from './upsert.js';
import { type Values, checkStatus, validateValue } from './values.js';

/** The header of an export: the field names in schema order, then `status`. */
export function csvHeader(fields: readonly FieldDef[]): string[] {
  return [...fields.map((f) => f.name), STATUS_FIELD];
}

/** One item's cells, in the header's order. */
export function csvRecord(fields: readonly FieldDef[], item: { status: string; values: Readonly<Values> }): string[] {
  const cells = fields.map((f) => fieldText(f, Object.hasOwn(item.values, f.name) ? item.values[f.name] : null));
  cells.push(item.status);
  return cells;
}

/**
 * Records as CSV text: CRLF between records (RFC 4180), a cell quoted when it holds a comma, a
 * quote or any line break (a lone CR too, which a reader would otherwise take for the end of a row).
 */
export function stringifyCsv(records: readonly (readonly string[])[]): string {
  return stringify(records as string[][], { record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** A column of an imported file: a field, the status, or (autoincrement) a value read only to match by. */
export interface CsvColumn {
  index: number;
  name: string;
  field: FieldDef | null;
}

/** The rows of a file parsed as CSV (a leading BOM dropped, blank lines skipped); refused with the line of a malformed one. Bytes parse faster than their text. */
export function parseCsv(text: string | Buffer): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
  } catch (error) {
    const { message, lines } = error as { message: string; lines?: number };
    throw new BadInput(`not valid CSV: ${message}`, [{ field: lines === undefined ? 'file' : `line ${lines}`, reason: message }]);
  }
}

/** `row 3, column 2 (prio)`: how a refused cell is named, the header being row 1. */
export function cellName(row: number, column: CsvColumn): string {
  return `row ${row}, column ${column.index + 1} (${clipText(column.name)})`;
}

/** The columns of a header row: field names or `status`, each once. */
export function readHeader(fields: readonly FieldDef[], header: readonly string[]): { columns: CsvColumn[]; problems: Problem[] } {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const columns = header.map((raw, index) => {
    const name = raw.trim();
    const column: CsvColumn = { index, name, field: byName.get(name) ?? null };
    const at = `row 1, column ${index + 1}`;
    if (seen.has(name)) problems.push({ field: at, reason: `column "${clipText(name)}" appears twice` });
    else if (!column.field && name !== STATUS_FIELD) problems.push({ field: at, reason: `"${clipText(name)}" is not a field of the tracker (fields: ${fields.map((f) => f.name).join(', ')}, and status)` });
    seen.add(name);
    return column;
  });
  if (header.length === 0) problems.push({ field: 'row 1', reason: 'the header row names no column' });
  return { columns, problems };
}

/**
 * One row's cells as an import row: every cell read by its field's parser (what the text means
 * for the type). What a field accepts (options, formats) is checked here only with `validate`
 * (a file already refused, so that the refusal names every bad cell); otherwise it is the
 * store's check of the whole row, done once, which names the same row and column (inFileTerms).
 */
export function readRow(columns: readonly CsvColumn[], cells: readonly string[], row: number, problems: Problem[], validate = false): UpsertRow {
  const values: Values = {};
  let status: UpsertRow['status'];
  if (cells.length !== columns.length) problems.push({ field: `row ${row}`, reason: `${cells.length} cells, the header has ${columns.length} columns` });
  for (const column of columns) {
    const cell = cells[column.index] ?? '';
    if (!column.field) {
      if (cell.trim() === '') continue;
      const bad = checkStatus(cell.trim(), cellName(row, column));
      if (bad) problems.push(bad);
      else status = cell.trim() as UpsertRow['status'];
      continue;
    }
    const read = parseFieldText(column.field, cell);
    const parsed = read.ok && validate && column.field.type !== 'autoincrement' ? validateValue(column.field, read.value) : read;
    if (!parsed.ok) problems.push({ field: cellName(row, column), reason: parsed.reason });
    else values[column.field.name] = parsed.value;
  }
  return { ...(status ? { status } : {}), values };
}

/** A whole file's rows, or a BadInput naming every refused cell by row, column and reason (up to MAX_PROBLEMS). */
export function readCsvRows(fields: readonly FieldDef[], text: string | Buffer): { columns: CsvColumn[]; rows: UpsertRow[] } {
  const [header = [], ...records] = parseCsv(text);
  const { columns, problems } = readHeader(fields, header);
  if (problems.length > 0) throw BadInput.from(problems, 'refused the file: its header');
  const rows = records.map((cells, i) => readRow(columns, cells, i + 2, problems));
  if (problems.length > 0) {
    // Refused already: read again checking every value, so the refusal lists each bad cell in file order.
    problems.length = 0;
    records.forEach((cells, i) => readRow(columns, cells, i + 2, problems, true));
    throw BadInput.from(problems.slice(0, MAX_PROBLEMS), `refused the file (${problems.length} bad cell${problems.length === 1 ? '' : 's'}); nothing was imported`);
  }
  return { columns, rows };
}

/** A store's problem with row i (`rows[i].values.prio`, `rows[i].status`) in the file's terms: row and column. */
export function inFileTerms(problem: Problem, columns: readonly CsvColumn[]): Problem {
  const m = /^rows\[(\d+)\](?:\.(values\.)?(\w+))?$/.exec(problem.field);
  if (!m) return problem;
  const row = Number(m[1]) + 2;
  const column = m[3] === undefined ? undefined : columns.find((c) => c.name === m[3]);
  const reason = problem.reason.replace(/rows\[(\d+)\]/g, (_all, i: string) => `row ${Number(i) + 2}`);
  return { field: column ? cellName(row, column) : m[3] ? `row ${row} (${m[3]})` : `row ${row}`, reason };
}
