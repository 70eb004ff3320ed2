/** `s15n gc [--grace DURATION]`: removes the attachment contents no item version names anymore, and stray files of dead transfers. */
import type { Command } from 'commander';
import { BadInput } from '../../../shared/errors.js';
import { formatSize } from '../../../shared/model/files.js';
import { output, withHub } from '../context.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, `90s`, `30m`, `1h`, `2d`. */
export function parseDuration(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?\s*$/i.exec(text);
  if (!match || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new BadInput(`${option}: expected a duration such as 0, 90s, 30m, 1h or 2d, got "${text}"`, [{ field: option, reason: 'a duration' }]);
  }
  return Math.round(Number(match[1]) * (match[2] ? UNITS[match[2].toLowerCase()]! : 1));
}

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description('remove attachment contents no item version names anymore (after a grace period), and stray files of transfers that died')
    .option('--grace <duration>', 'keep a content no item names for this long after it was first found so (0: remove now)', '1h')
    .action(async (opts: { grace: string }, command: Command) => {
      const graceMs = parseDuration(opts.grace, '--grace');
      await withHub(command, async (hub) => {
        const report = await hub.collectGarbage({ graceMs, sweep: true });
        const swept = report.swept && report.swept.files > 0 ? `; ${report.swept.files} stray file${report.swept.files === 1 ? '' : 's'} (${formatSize(report.swept.bytes)}) swept` : '';
        output(command, report, `removed ${report.removed} attachment content${report.removed === 1 ? '' : 's'} (${formatSize(report.bytes)}), kept ${report.kept}${swept}`);
      });
    });
}
