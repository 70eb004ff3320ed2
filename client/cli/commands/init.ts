/** `s15n init`: creates the data dir and its database (idempotent). */
import type { Command } from 'commander';
import { databaseExists } from '../../../server/store/index.js';
import { openLocalStore } from '../../replica/index.js';
import { dataDir, output } from '../context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir (mode 0700) with an empty instance')
    .action(async (_opts, command: Command) => {
      const dir = dataDir(command);
      const created = !databaseExists(dir);
      // An SQLite instance can also clone: its clone-side tables are made now, not by the first command that reads them.
      openLocalStore(dir, { create: true }).close();
      output(command, { dataDir: dir, created }, created ? `initialised an s15n instance at ${dir}` : `an s15n instance already exists at ${dir}; nothing changed`);
    });
}
