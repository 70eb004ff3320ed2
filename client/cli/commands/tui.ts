/** `s15n tui`: the Ink terminal client on this instance (a terminal is required). */
import type { Command } from 'commander';
import { openLocalStore } from '../../replica/index.js';
import { BadInput } from '../../../shared/errors.js';
import { dataDir, globals } from '../context.js';

/** Ink draws only to a terminal: refuse early and clearly (exit 2) instead of printing escape codes into a pipe. */
export function requireTerminal(command: string): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new BadInput(`s15n ${command} needs an interactive terminal (stdin and stdout must be a TTY); in scripts use the other commands, e.g. s15n status`, [
      { field: 'stdout', reason: 'not a terminal' },
    ]);
  }
}

export function registerTui(program: Command): void {
  program
    .command('tui')
    .description('the terminal client: trackers, items, clone, reload, push and conflict review')
    .action(async (_opts, command: Command) => {
      if (globals(command).json) throw new BadInput('s15n tui has no --json output', [{ field: '--json', reason: 'not supported by tui' }]);
      // A PostgreSQL instance is refused first: no terminal makes it one the TUI could open.
      const dir = dataDir(command);
      requireTerminal('tui');
      const store = openLocalStore(dir);
      try {
        // Loaded here, so other commands never pay for Ink and React.
        const { runTui } = await import('../../tui/main.js');
        await runTui(store);
      } finally {
        store.close();
      }
    });
}
