/** `s15n init`: creates the data dir and its database, or s15n's tables in a PostgreSQL database (idempotent). */
import type { Command } from 'commander';
import { databaseExists } from '../../../server/store/index.js';
import { openLocalStore } from '../../replica/index.js';
import { instanceOf, output } from '../context.js';

/** s15n's tables in an existing database (creating databases and roles is the operator's job). */
async function initPostgres(url: string, command: Command): Promise<void> {
  const { PostgresHub } = await import('../../../server/store/postgres/index.js');
  const hub = await PostgresHub.open(url, { create: true });
  try {
    const created = hub.created;
    output(
      command,
      { store: hub.location, engine: 'postgres', created },
      created ? `initialised an s15n hub in ${hub.location}` : `an s15n hub already exists in ${hub.location}; nothing changed`,
    );
  } finally {
    await hub.close();
  }
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir (mode 0700) with an empty instance; with --store, s15n\'s tables in an existing PostgreSQL database')
    .action(async (_opts, command: Command) => {
      const instance = instanceOf(command);
      if (instance.engine === 'postgres') return initPostgres(instance.url, command);
      const dir = instance.dataDir;
      const created = !databaseExists(dir);
      // An SQLite instance can also clone: its clone-side tables are made now, not by the first command that reads them.
      openLocalStore(dir, { create: true }).close();
      output(command, { dataDir: dir, engine: 'sqlite', created }, created ? `initialised an s15n instance at ${dir}` : `an s15n instance already exists at ${dir}; nothing changed`);
    });
}
