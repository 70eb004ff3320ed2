/** `s15n user add|list`: users of this instance, passwords read from stdin and stored scrypt-hashed. */
import type { Command } from 'commander';
import { BadInput } from '../../../shared/errors.js';
import { output, readPassword, withHub } from '../context.js';

export function registerUser(program: Command): void {
  const user = program.command('user').description('add and list the users of this instance');
  user
    .command('add <name>')
    .description('add a user; the password is piped on stdin, never an argument: echo "$PW" | s15n user add NAME --password-stdin')
    .option('--admin', 'an instance admin (every right on every tracker)')
    .option('--password-stdin', 'read the password from stdin (one trailing newline is dropped)')
    .action(async (name: string, opts: { admin?: boolean; passwordStdin?: boolean }, command: Command) => {
      if (!opts.passwordStdin) {
        throw new BadInput(`pipe the password on stdin and add --password-stdin: echo "$PW" | s15n user add ${name} --password-stdin`, [
          { field: '--password-stdin', reason: 'required' },
        ]);
      }
      const password = await readPassword();
      await withHub(command, async (hub) => {
        const created = await hub.addUser(name, password, { admin: opts.admin === true });
        output(command, { name: created.name, admin: created.admin }, `added user ${created.name}${created.admin ? ' (instance admin)' : ''}`);
      });
    });
  user
    .command('list')
    .description('list the users')
    .action(async (_opts, command: Command) => {
      await withHub(command, async (hub) => {
        const users = (await hub.listUsers()).map((u) => ({ name: u.name, admin: u.admin, createdAt: u.createdAt }));
        output(command, users, () => (users.length === 0 ? 'no users' : users.map((u) => `${u.name}${u.admin ? '  (instance admin)' : ''}`).join('\n')));
      });
    });
}
