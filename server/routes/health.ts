/** GET /health: liveness without credentials, so load balancers and `s15n remote add` can probe an instance. */
import { Router } from 'express';
import type { Health } from '../../shared/api/schemas.js';

export function healthRouter(version: string): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const body: Health = { status: 'ok', version };
    res.json(body);
  });
  return router;
}
