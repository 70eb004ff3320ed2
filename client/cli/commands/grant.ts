/** `s15n grant USER TRACKER view|edit|admin`: a user's right on one tracker. */
import type { Command } from 'commander';
import { output, withStore } from '../context.js';

export function registerGrant(program: Command): void {
  program
    .command('grant <user> <tracker> <right>')
    .description('give USER the right view, edit or admin on TRACKER (id or name)')
    .action(async (user: string, trackerRef: string, right: string, _opts, command: Command) => {
      await withStore(command, (store) => {
        store.grant(user, trackerRef, right);
        const tracker = store.getTracker(trackerRef);
        output(command, { user, tracker: tracker.name, trackerId: tracker.id, right }, `${user} may now ${right} tracker ${tracker.name}`);
      });
    });
}
