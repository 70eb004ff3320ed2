/** GET /users: user names, for callers with the admin right somewhere (clones map user fields with it). */
import { Router } from 'express';
import { Forbidden } from '../../shared/errors.js';
import { userOf } from '../auth.js';
import type { HubStore } from '../store/index.js';

export function usersRouter(store: HubStore): Router {
  const router = Router();
  router.get('/users', async (req, res) => {
    const user = userOf(req);
    if (!(await store.canListUsers(user.name))) throw new Forbidden(`user "${user.name}" may not list users (needs the admin right)`);
    res.json({ users: (await store.listUsers()).map((u) => u.name) });
  });
  return router;
}
