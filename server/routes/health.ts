/** GET /health: liveness without credentials, so load balancers and `s15n remote add` can probe an instance. */
import type { Health } from '../../shared/api/schemas.js';
import type { RouteHandlers } from './mount.js';

export function healthHandlers(version: string): Pick<RouteHandlers, 'health'> {
  return {
    health: ({ res }) => {
      const body: Health = { status: 'ok', version };
      res.json(body);
    },
  };
}
