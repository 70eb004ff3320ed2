/** Starts an instance's HTTP(S) server; only the `serve` command (and tests, demo, bench) listen. */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BadInput } from '../shared/errors.js';
import { createApp } from './app.js';
import { answerClientError } from './errors.js';
import { type LiveFeeds, liveFeeds } from './live/index.js';
import { type Logger, silentLogger } from './logger.js';
import type { HubStore } from './store/index.js';
import type { ThrottleOptions } from './throttle.js';

export interface ServeOptions {
  store: HubStore;
  host?: string;
  port?: number;
  /** Paths of a PEM certificate and key: serve https. */
  tls?: { cert: string; key: string };
  logger?: Logger;
  bodyLimit?: string | number;
  loginThrottle?: ThrottleOptions;
  /** Open longpoll and continuous feeds a user may hold at once (beyond it 429). */
  maxFeedsPerUser?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  /** The open live feeds (the slots they hold, the watcher that wakes them). */
  live: LiveFeeds;
  close(): Promise<void>;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BadInput(`--tls-${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, [{ field: `tls-${what}`, reason: 'unreadable file' }]);
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger();
  const live = liveFeeds(options.store, { ...(options.maxFeedsPerUser !== undefined ? { perUser: options.maxFeedsPerUser } : {}) });
  const app = createApp({ store: options.store, logger, bodyLimit: options.bodyLimit, loginThrottle: options.loginThrottle, live });
  const server: Server = options.tls
    ? createHttpsServer({ cert: readPem(options.tls.cert, 'cert'), key: readPem(options.tls.key, 'key') }, app)
    : createServer(app);
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  logger.info({ url }, 'listening');
  return {
    url,
    host,
    port,
    server,
    live,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Give running requests a moment, then cut what is left (long streams resume by token).
      const cut = setTimeout(() => server.closeAllConnections(), 2000).unref();
      // Open feeds end first, with their last line: their connections are then idle and close at once.
      await live.close();
      server.closeIdleConnections();
      await closed;
      clearTimeout(cut);
    },
  };
}
