/** A reload, push or clone report (DESIGN §6): the outcome, the counters, the errors per item. */
import { Box, Text } from 'ink';
import type { Report } from '../../sync/report.js';

const COLORS = { success: 'green', warning: 'yellow', error: 'red' } as const;

export function reportLine(report: Report): string {
  const c = report.counts;
  return `seen ${c.seen} · created ${c.created} · updated ${c.updated} · deleted ${c.deleted} · merged ${c.merged} · unchanged ${c.unchanged} · conflicts ${c.conflicts} · errors ${c.errors}`;
}

export function ReportView({ title, report, maxErrors = 5 }: { title: string; report: Report; maxErrors?: number }) {
  const warnings = Array.isArray(report.warnings) ? (report.warnings as string[]) : [];
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{title}</Text>
        {report.dryRun ? ' (dry run)' : ''}: <Text color={COLORS[report.outcome]}>{report.outcome}</Text>
      </Text>
      <Text>{reportLine(report)}</Text>
      {report.errors.slice(0, maxErrors).map((error, index) => (
        <Text key={index} color="red" wrap="truncate-end">
          {error.id === null ? '' : `item ${error.id}: `}
          {error.message}
        </Text>
      ))}
      {report.errors.length > maxErrors ? <Text dimColor>… and {report.errors.length - maxErrors} more errors</Text> : null}
      {warnings.map((warning) => (
        <Text key={warning} color="yellow" wrap="truncate-end">
          {warning}
        </Text>
      ))}
    </Box>
  );
}
