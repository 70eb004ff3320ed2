/** `s15n store copy --from DIR --to postgres://…`: an SQLite instance moved into PostgreSQL with its ids and seqs, so its clones keep syncing. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SqliteStore } from '../../../server/store/index.js';
import { isPostgresUrl } from '../../../server/store/location.js';
import { BadInput } from '../../../shared/errors.js';
import { output } from '../context.js';

interface CopyOpts {
  from?: string;
  to?: string;
  replace?: boolean;
}

function checkOptions(opts: CopyOpts): { from: string; to: string } {
  if (!opts.from) throw new BadInput('--from DIR: the data dir of the SQLite instance to copy', [{ field: '--from', reason: 'required' }]);
  if (!opts.to) throw new BadInput('--to postgres://USER@HOST[:PORT]/DB: the database to copy into', [{ field: '--to', reason: 'required' }]);
  if (isPostgresUrl(opts.from)) throw new BadInput('--from: a data dir (copies go from SQLite to PostgreSQL)', [{ field: '--from', reason: 'a data dir, not a URL' }]);
  if (!isPostgresUrl(opts.to)) throw new BadInput('--to: expected postgres://USER[:PASS]@HOST[:PORT]/DB', [{ field: '--to', reason: 'a postgres:// or postgresql:// URL' }]);
  return { from: resolve(opts.from), to: opts.to };
}

/** Progress on stderr, only for a person watching a terminal. */
function progress(): ((items: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (items, total) => process.stderr.write(`\rcopying items: ${items} / ${total}${items === total ? '\n' : ''}`);
}

async function copy(opts: CopyOpts, command: Command): Promise<void> {
  const { from, to } = checkOptions(opts);
  // Loaded here: only this command and the PostgreSQL hub commands pay for pg.
  const [{ PostgresHub }, { copySqliteToPostgres }] = await Promise.all([import('../../../server/store/postgres/index.js'), import('../../../server/store/postgres/copy.js')]);
  const source = SqliteStore.open(from);
  try {
    const target = await PostgresHub.open(to, { create: true });
    try {
      const counts = await copySqliteToPostgres(source, target, { replace: opts.replace === true, progress: progress() });
      output(
        command,
        { from, to: target.location, ...counts },
        `copied ${from} to ${target.location}: ${counts.trackers} tracker(s), ${counts.items} item(s) and tombstone(s), ${counts.users} user(s), ${counts.rights} right(s), ${counts.keys} push key(s); seq ${counts.seq}`,
      );
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

export function registerStore(program: Command): void {
  const store = program.command('store').description('move an instance between engines');
  store
    .command('copy')
    .description('copy an SQLite instance into a PostgreSQL database (ids, seqs, users and rights kept: its clones keep syncing); serve the copy from then on')
    .option('--from <dir>', 'the data dir of the SQLite instance')
    .option('--to <url>', 'the PostgreSQL database: postgres://USER@HOST[:PORT]/DB (the password from PGPASSWORD or ~/.pgpass keeps it out of ps)')
    .option('--replace', 'replace what the database holds already (refused without it)')
    .action((opts: CopyOpts, command: Command) => copy(opts, command));
}
