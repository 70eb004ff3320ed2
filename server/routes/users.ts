/** GET /users: user names, for callers with the admin right somewhere (clones map user fields with it). */
import { Router } from 'express';
import { Forbidden } from '../../shared/errors.js';
import { userOf } from '../auth.js';
import type { Store } from '../store/index.js';

export function usersRouter(store: Store): Router {
  const router = Router();
  router.get('/users', (req, res) => {
    const user = userOf(req);
    if (!store.canListUsers(user.name)) throw new Forbidden(`user "${user.name}" may not list users (needs the admin right)`);
    res.json({ users: store.listUsers().map((u) => u.name) });
  });
  return router;
}
