/**
 * `s15n demo`: two temporary instances (a master with sample data served on a free loopback
 * port in this process, and a clone with local edits and a conflict), then the TUI on the
 * clone; `--no-tui` sets up, prints, and serves until SIGINT.
 */
import type { Command } from 'commander';
import { BadInput } from '../../../shared/errors.js';
import { globals, output, parseId } from '../context.js';
import { requireTerminal } from './tui.js';

interface DemoOpts {
  tui: boolean;
  items: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('two temporary instances with sample data (a master served on loopback, a clone with a conflict), then the TUI on the clone')
    .option('--no-tui', 'set up and print, then keep serving the master until Ctrl-C (for scripts)')
    .option('--items <n>', 'items in the sample bugs tracker', '300')
    .action(async (opts: DemoOpts, command: Command) => {
      const items = parseId(opts.items, '--items');
      if (items > 1_000_000) throw new BadInput('--items: at most 1000000', [{ field: '--items', reason: 'at most 1000000' }]);
      if (opts.tui) {
        if (globals(command).json) throw new BadInput('s15n demo --json needs --no-tui', [{ field: '--json', reason: 'needs --no-tui' }]);
        requireTerminal('demo');
      }
      const { setupDemo, describeDemo } = await import('../../../scripts/demo/setup.js');
      const demo = await setupDemo({ items });
      try {
        const line = describeDemo(demo);
        output(
          command,
          {
            master: { url: demo.master.url, dataDir: demo.master.dataDir },
            clone: { dataDir: demo.clone.dataDir, remote: demo.clone.remote, tracker: demo.clone.trackerName, trackerId: demo.clone.trackerId },
            users: demo.users,
            items: demo.items,
            conflict: demo.conflict,
          },
          line,
        );
        if (opts.tui) {
          const { runTui } = await import('../../tui/main.js');
          await runTui(demo.clone.store);
        } else {
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
        }
      } finally {
        await demo.close();
      }
    });
}
