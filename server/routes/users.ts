/** GET /users: user names, for callers with the admin right somewhere (clones map user fields with it). */
import { Forbidden } from '../../shared/errors.js';
import type { HubStore } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

export function usersHandlers(store: HubStore): Pick<RouteHandlers, 'listUsers'> {
  return {
    listUsers: async ({ res, user }) => {
      if (!(await store.canListUsers(user.name))) throw new Forbidden(`user "${user.name}" may not list users (needs the admin right)`);
      res.json({ users: (await store.listUsers()).map((u) => u.name) });
    },
  };
}
