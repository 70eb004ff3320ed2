/** `s15n serve`: serves this instance's trackers over HTTP(S) until SIGINT or SIGTERM. */
import type { Command } from 'commander';
import { createLogger } from '../../../server/logger.js';
import { Store } from '../../../server/store/index.js';
import { startServer } from '../../../server/serve.js';
import { BadInput } from '../../../shared/errors.js';
import { dataDir, output, parseId } from '../context.js';

interface ServeOpts {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  bodyLimit: string;
  logLevel: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the trackers of this instance (HTTP Basic auth; https with --tls-cert and --tls-key)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8080')
    .option('--tls-cert <file>', 'PEM certificate: serve https')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--body-limit <size>', 'largest request body (e.g. 16mb)', '16mb')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .action(async (opts: ServeOpts, command: Command) => {
      if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new BadInput('--tls-cert and --tls-key go together', [{ field: opts.tlsCert ? '--tls-key' : '--tls-cert', reason: 'missing' }]);
      const port = opts.port === '0' ? 0 : parseId(opts.port, '--port');
      if (port > 65535) throw new BadInput('--port: at most 65535', [{ field: '--port', reason: 'at most 65535' }]);
      const store = Store.open(dataDir(command));
      const logger = createLogger({ level: opts.logLevel });
      const running = await startServer({
        store,
        host: opts.host,
        port,
        logger,
        bodyLimit: opts.bodyLimit,
        ...(opts.tlsCert && opts.tlsKey ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
      });
      output(command, { url: running.url, host: running.host, port: running.port }, `s15n serving on ${running.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
      store.close();
    });
}
