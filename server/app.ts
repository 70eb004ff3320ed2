/** The Express app of an instance: security headers, compressed answers, the routes of the route table with their handlers, one error handler. No listen here. */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { API_PREFIX } from '../shared/api/schemas.js';
import { DEFAULT_MAX_FILE } from '../shared/model/files.js';
import { authenticate } from './auth.js';
import { GarbageSchedule } from './blob-gc.js';
import { compressAnswers } from './compression.js';
import { errorHandler, notFoundRoute } from './errors.js';
import { type LiveFeeds, liveFeeds } from './live/index.js';
import { type Logger, silentLogger } from './logger.js';
import { blobsHandlers } from './routes/blobs.js';
import { changesHandlers } from './routes/changes.js';
import { digestHandlers } from './routes/digest.js';
import { exportHandlers } from './routes/export.js';
import { healthHandlers } from './routes/health.js';
import { itemsHandlers } from './routes/items.js';
import { mountRoutes } from './routes/mount.js';
import { openApiHandlers } from './routes/openapi.js';
import { pushHandlers } from './routes/push.js';
import { trackersHandlers } from './routes/trackers.js';
import { usersHandlers } from './routes/users.js';
import type { BlobLimits, HubStore } from './store/index.js';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from './throttle.js';
import { VERSION } from './version.js';

export interface AppOptions {
  store: HubStore;
  logger?: Logger;
  /** Largest accepted request body (express/bytes syntax, e.g. '16mb' or a number of bytes). */
  bodyLimit?: string | number;
  loginThrottle?: ThrottleOptions;
  /** Attachments: the largest file (`serve --max-file`, 64 MiB by default) and the bytes one tracker may hold (`--quota`, 10 GiB). */
  blobLimits?: Partial<BlobLimits>;
  /** The live feeds of the server (startServer makes them, to end them on stop); one of the app's own otherwise. */
  live?: LiveFeeds;
}

export const DEFAULT_TRACKER_QUOTA = 10 * 1024 ** 3;

export function createApp(options: AppOptions): Express {
  const { store } = options;
  const live = options.live ?? liveFeeds(store);
  const logger = options.logger ?? silentLogger();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Express answers 304 on its own for `If-None-Match: *` even without an ETag: conditional GETs are the route table's (server/routes/reply.ts).
  Object.defineProperty(app.request, 'fresh', { configurable: true, get: () => false });
  app.use(helmet());
  app.use(compressAnswers());
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
  const limits: BlobLimits = { maxSize: options.blobLimits?.maxSize ?? DEFAULT_MAX_FILE, quota: options.blobLimits?.quota ?? DEFAULT_TRACKER_QUOTA };
  // Blobs no item names anymore are collected now and then, after the writes that may release them.
  const garbage = new GarbageSchedule(store, logger);
  const pushes = pushHandlers(store);
  // The routes of shared/api/routes.ts, each with its handler; authentication comes before any body is read.
  mountRoutes(
    api,
    {
      ...healthHandlers(VERSION),
      ...openApiHandlers(VERSION),
      ...trackersHandlers(store),
      ...changesHandlers(store, live),
      ...digestHandlers(store),
      ...itemsHandlers(store),
      ...blobsHandlers(store, limits, () => garbage.poke()),
      push: async (call) => {
        await pushes.push(call);
        if (call.tracker.fields.some((f) => f.type === 'files')) garbage.poke();
      },
      ...usersHandlers(store),
      ...exportHandlers(store),
    },
    { store, authenticate: authenticate(store, new LoginThrottle(options.loginThrottle ?? DEFAULT_THROTTLE)), bodyLimit: options.bodyLimit ?? '16mb' },
  );

  app.use(API_PREFIX, api);
  app.use(notFoundRoute());
  app.use(errorHandler(logger));
  return app;
}
