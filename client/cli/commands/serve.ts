/** `s15n serve`: serves this instance's trackers over HTTP(S) until SIGINT or SIGTERM. */
import type { Command } from 'commander';
import { BadInput, S15nError } from '../../../shared/errors.js';
import { DEFAULT_FEEDS_PER_USER } from '../../../server/live/feed-slots.js';
import { note, output, withHub } from '../context.js';

interface ServeOpts {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  bodyLimit: string;
  logLevel: string;
  maxFeeds: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function checkOptions(opts: ServeOpts): number {
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) {
    throw new BadInput('--tls-cert and --tls-key go together', [{ field: opts.tlsCert ? '--tls-key' : '--tls-cert', reason: 'missing' }]);
  }
  if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535) throw new BadInput(`--port: expected 0 to 65535, got "${opts.port}"`, [{ field: '--port', reason: '0 to 65535' }]);
  if (!/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i.test(opts.bodyLimit)) {
    throw new BadInput(`--body-limit: expected a size such as 16mb, got "${opts.bodyLimit}"`, [{ field: '--body-limit', reason: 'a size: bytes or N kb/mb/gb' }]);
  }
  if (!/^\d{1,6}$/.test(opts.maxFeeds) || Number(opts.maxFeeds) === 0) {
    throw new BadInput(`--max-feeds: expected a positive integer, got "${opts.maxFeeds}"`, [{ field: '--max-feeds', reason: 'a positive integer' }]);
  }
  if (!LOG_LEVELS.includes(opts.logLevel)) throw new BadInput(`--log-level: expected one of ${LOG_LEVELS.join(', ')}`, [{ field: '--log-level', reason: `one of ${LOG_LEVELS.join(', ')}` }]);
  return Number(opts.port);
}

/** Resolves on the first SIGINT or SIGTERM; listening from the start so an early signal is not lost. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the trackers of this instance over HTTP (Basic auth); https with --tls-cert and --tls-key')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port; the line printed says which)', '8080')
    .option('--tls-cert <file>', 'PEM certificate: serve https (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--body-limit <size>', 'largest request body; larger is answered 413', '16mb')
    .option('--log-level <level>', `request log on stderr: ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--max-feeds <n>', 'open longpoll and continuous feeds a user may hold at once; beyond it 429', String(DEFAULT_FEEDS_PER_USER))
    .action(async (opts: ServeOpts, command: Command) => {
      const port = checkOptions(opts);
      const stopped = stopSignal();
      await withHub(command, async (store) => {
        // Loaded here, so the other commands never pay for Express.
        const [{ startServer }, { createLogger }] = await Promise.all([import('../../../server/serve.js'), import('../../../server/logger.js')]);
        const running = await startServer({
          store,
          host: opts.host,
          port,
          logger: createLogger({ level: opts.logLevel }),
          bodyLimit: opts.bodyLimit,
          maxFeedsPerUser: Number(opts.maxFeeds),
          ...(opts.tlsCert && opts.tlsKey ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
        }).catch((error: NodeJS.ErrnoException) => {
          if (error instanceof S15nError || !error.code) throw error;
          throw new S15nError('unavailable', `cannot listen on ${opts.host}:${port}: ${error.code}`);
        });
        output(command, { url: running.url, host: running.host, port: running.port, store: store.location }, `s15n serving on ${running.url}`);
        const signal = await stopped;
        note(`${signal}: stopping`);
        await running.close();
      });
    });
}
