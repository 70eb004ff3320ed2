/** `s15n remote add|list|remove`: the instances this one clones from; passwords never shown. */
import type { Command } from 'commander';
import { addRemote, listRemotes, removeRemote } from '../../sync/remotes.js';
import { note, output, readPassword, withStore } from '../context.js';

export function registerRemote(program: Command): void {
  const remote = program.command('remote').description('add, list and remove remotes (instances to clone from)');
  remote
    .command('add <name> <url>')
    .description('add a remote; the password is read from stdin (or set S15N_PASSWORD_<NAME> instead of --password-stdin)')
    .requiredOption('--user <user>', 'the user name on the remote')
    .option('--password-stdin', 'read the password from stdin; it goes to <data>/credentials.json (mode 0600)')
    .option('--ca <file>', "PEM certificate of the CA (or the self-signed certificate) that signed the https remote's certificate; NODE_EXTRA_CA_CERTS=FILE also works, for every remote")
    .action(async (name: string, url: string, opts: { user: string; passwordStdin?: boolean; ca?: string }, command: Command) => {
      const password = opts.passwordStdin ? await readPassword() : null;
      await withStore(command, (store) => {
        const { remote: added, warning } = addRemote(store, { name, url, user: opts.user, password, ca: opts.ca ?? null });
        if (warning) note(`warning: ${warning}`);
        output(command, { ...added, ...(warning ? { warning } : {}) }, `added remote ${added.name} ${added.url} (user ${added.user})`);
      });
    });
  remote
    .command('list')
    .description('list the remotes, where their passwords come from, and the trackers cloned from each')
    .action(async (_opts, command: Command) => {
      await withStore(command, (store) => {
        const remotes = listRemotes(store);
        output(command, remotes, () =>
          remotes.length === 0
            ? 'no remotes'
            : remotes
                .map((r) => `${r.name}  ${r.url}  user ${r.user}  password: ${r.password}${r.ca ? `  ca: ${r.ca}` : ''}${r.clones.length > 0 ? `  clones: ${r.clones.join(', ')}` : ''}`)
                .join('\n'),
        );
      });
    });
  remote
    .command('remove <name>')
    .description('remove a remote and its stored password (refused while a cloned tracker uses it)')
    .action(async (name: string, _opts, command: Command) => {
      await withStore(command, (store) => {
        removeRemote(store, name);
        output(command, { removed: name }, `removed remote ${name}`);
      });
    });
}
