/** `s15n init`: creates the data dir and its database (idempotent). */
import type { Command } from 'commander';
import { Store } from '../../../server/store/index.js';
import { dataDir, output } from '../context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir (mode 0700) with an empty instance')
    .action((_opts, command: Command) => {
      const dir = dataDir(command);
      const created = !Store.exists(dir);
      Store.open(dir, { create: true }).close();
      output(command, { dataDir: dir, created }, created ? `initialised an s15n instance at ${dir}` : `an s15n instance already exists at ${dir}; nothing changed`);
    });
}
