/** `s15n grant USER TRACKER view|edit|admin`: a user's right on one tracker. */
import type { Command } from 'commander';
import { RIGHTS, type Right } from '../../../server/store/index.js';
import { BadInput } from '../../../shared/errors.js';
import { output, withHub } from '../context.js';

export function registerGrant(program: Command): void {
  program
    .command('grant <user> <tracker> <right>')
    .description('give USER the right view, edit or admin on TRACKER (id or name); it replaces the right the user had')
    .action(async (user: string, trackerRef: string, right: string, _opts, command: Command) => {
      if (!RIGHTS.includes(right as Right)) throw new BadInput(`right: "${right}" is not one of ${RIGHTS.join(', ')}`, [{ field: 'right', reason: `one of ${RIGHTS.join(', ')}` }]);
      await withHub(command, async (hub) => {
        const tracker = await hub.getTracker(trackerRef);
        await hub.grant(user, tracker.id, right);
        output(command, { user, tracker: tracker.name, trackerId: tracker.id, right }, `${user} may now ${right} tracker ${tracker.name}`);
      });
    });
}
