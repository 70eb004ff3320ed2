/** The Express app of an instance: security headers, auth, routers per resource, one error handler. No listen here. */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { API_PREFIX } from '../shared/api/schemas.js';
import { authenticate } from './auth.js';
import { errorHandler, notFoundRoute } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import { changesRouter } from './routes/changes.js';
import { healthRouter } from './routes/health.js';
import { itemsRouter } from './routes/items.js';
import { openApiRouter } from './routes/openapi.js';
import { pushRouter } from './routes/push.js';
import { trackersRouter } from './routes/trackers.js';
import { usersRouter } from './routes/users.js';
import type { HubStore } from './store/index.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from './throttle.js';
import { VERSION } from './version.js';

export interface AppOptions {
  store: HubStore;
  logger?: Logger;
  /** Largest accepted request body (express/bytes syntax, e.g. '16mb' or a number of bytes). */
  bodyLimit?: string | number;
  loginThrottle?: ThrottleOptions;
}

export function createApp(options: AppOptions): Express {
  const { store } = options;
  const logger = options.logger ?? silentLogger();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(helmet());
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });

  const api = express.Router();
  // Answers hold tracker data for one authenticated caller: no shared cache may keep them.
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(healthRouter(VERSION));
  // Authenticate before reading a body, so nobody unknown makes the server parse 16 MiB.
  api.use(authenticate(store, new LoginThrottle(options.loginThrottle ?? DEFAULT_THROTTLE)));
  // Every body is JSON, whatever Content-Type says (`curl -d` sends a form type).
  api.use(express.json({ limit: options.bodyLimit ?? '16mb', strict: true, type: () => true }));
  api.use(openApiRouter(VERSION), trackersRouter(store), changesRouter(store), itemsRouter(store), pushRouter(store), usersRouter(store));

  app.use(API_PREFIX, api);
  app.use(notFoundRoute());
  app.use(errorHandler(logger));
  return app;
}
