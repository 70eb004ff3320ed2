/** The bench's results: figures over runs (median, min–max), ratios to the floor and to PouchDB, the targets, and the printed table. */

export type Unit = 'ms' | 'items/s' | 'MB' | 'requests' | 'bytes' | 'CPU s' | 'commits/s' | '%';

export interface Metric {
  label: string;
  unit: Unit;
  values: number[];
  median: number | null;
  min: number | null;
  max: number | null;
  /** Times only: CPU time of the client process (user + system) over the same runs; steadier than elapsed time on a busy machine. */
  cpuMs?: { median: number | null; values: number[] };
  /** This figure divided by the floor's (times only). */
  vsFloor?: number;
  /** PouchDB's figure divided by this one: how many times faster s15n is. */
  fasterThanPouch?: number;
  note?: string;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  status: 'met' | 'missed' | 'n/a';
  why?: string;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function metric(label: string, unit: Unit, values: readonly number[], note?: string, cpuMs?: readonly number[]): Metric {
  const clean = values.filter((v) => Number.isFinite(v));
  return {
    ...(cpuMs && cpuMs.length > 0 ? { cpuMs: { median: round(median(cpuMs)!), values: cpuMs.map(round) } } : {}),
    label,
    unit,
    values: clean.map(round),
    median: clean.length > 0 ? round(median(clean)!) : null,
    min: clean.length > 0 ? round(Math.min(...clean)) : null,
    max: clean.length > 0 ? round(Math.max(...clean)) : null,
    ...(note ? { note } : {}),
  };
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

export function ratio(a: Metric | undefined, b: Metric | undefined): number | undefined {
  if (!a?.median || !b?.median) return undefined;
  return Math.round((a.median / b.median) * 100) / 100;
}

export function show(value: number | null, unit: Unit): string {
  if (value === null) return 'n/a';
  switch (unit) {
    case 'ms':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
    case 'items/s':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    case 'MB':
      return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} MB`;
    case 'requests':
      return String(value);
    case 'bytes':
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)} MB` : `${(value / 1e3).toFixed(1)} kB`;
    case 'CPU s':
      return `${value.toFixed(1)} s`;
    case 'commits/s':
      return `${value.toFixed(1)}/s`;
    case '%':
      return `${value.toFixed(2)}%`;
  }
}

function cell(m: Metric): string[] {
  const range = m.values.length > 1 ? `${show(m.min, m.unit)} – ${show(m.max, m.unit)}` : '';
  const floor = m.vsFloor === undefined ? '' : `${m.vsFloor.toFixed(2)}×`;
  const pouch = m.fasterThanPouch === undefined ? '' : m.fasterThanPouch >= 1 ? `${m.fasterThanPouch.toFixed(1)}× faster` : `${(1 / m.fasterThanPouch).toFixed(1)}× slower`;
  return [m.label, show(m.median, m.unit), range, m.cpuMs ? show(m.cpuMs.median, 'ms') : '', floor, pouch];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The columns after the first two that hold something in some row (a run of one kind of measure leaves some empty). */
function filledColumns(header: string[], rows: string[][]): { header: string[]; rows: string[][] } {
  const keep = header.map((_, i) => i < 2 || rows.some((r) => (r[i] ?? '') !== ''));
  const pick = (cells: string[]) => cells.filter((_, i) => keep[i]);
  return { header: pick(header), rows: rows.map(pick) };
}

/** The figures and the targets as Markdown tables (pasteable into the README). */
export function renderTables(metrics: Metric[], targets: Target[]): string {
  const filled = filledColumns(['Measure', 'Median', 'Min – max', 'Client CPU', '× floor', 'vs PouchDB'], metrics.map(cell));
  const figures = table(filled.header, filled.rows);
  const goals = table(
    ['Target', 'Goal', 'Measured', 'Status'],
    targets.map((t) => [t.name, t.goal, t.measured, t.why ? `${t.status} (${t.why})` : t.status]),
  );
  return `${figures}\n\n${goals}`;
}
