/**
 * An HTTP proxy in front of a test instance: counts and inspects the requests a client sends,
 * and can swallow an answer after the instance has handled the request (a lost answer: the
 * remote applied it, the client never hears).
 */
import { type IncomingMessage, type Server, createServer, request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { SqliteStore } from '../../server/store/index.js';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The body as text, inflated if it was sent gzip'd. */
  body: string;
  /** The request's headers and body bytes as sent (a gzip'd body stays gzip'd). */
  headers: IncomingMessage['headers'];
  raw: Buffer;
  /** The answer's status and headers, once it came back. */
  answer?: { status: number; headers: IncomingMessage['headers'] };
}

export interface ProxyOptions {
  /** Runs when a request has arrived whole, before it is forwarded (to look at the client's state at that moment). */
  onRequest?: (request: ProxiedRequest) => void;
  /** Whether to drop the answer of this request (index counts every request, from 0) instead of passing it on. */
  dropAnswer?: (request: ProxiedRequest, index: number) => boolean;
}

export interface TestProxy {
  url: string;
  requests: ProxiedRequest[];
  /** How many answers were swallowed. */
  dropped(): number;
  /** Requests of this method, e.g. the POSTs of push. */
  count(method: string): number;
  close(): Promise<void>;
}

function bodyOf(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => resolve(Buffer.concat(chunks)));
    message.once('error', reject);
  });
}

export async function startProxy(target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  let dropped = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      // `body` is the text the client meant, inflated when it came gzip'd; `raw` keeps the bytes.
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: text, headers: req.headers, raw: body };
      const index = requests.push(seen) - 1;
      options.onRequest?.(seen);
      const upstream = httpRequest(
        { host: to.hostname, port: to.port, method: seen.method, path: seen.path, headers: { ...req.headers, host: to.host } },
        (answer) => {
          seen.answer = { status: answer.statusCode ?? 0, headers: answer.headers };
          void bodyOf(answer).then((answerBody) => {
            if (options.dropAnswer?.(seen, index)) {
              dropped += 1;
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(answerBody);
          });
        },
      );
      upstream.once('error', () => req.socket.destroy());
      upstream.end(body);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dropped: () => dropped,
    count: (method) => requests.filter((r) => r.method === method).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Points a store's remote at a new proxy of `target`: from then on the clone talks only through it. */
export async function proxyRemote(store: SqliteStore, remoteName: string, target: string, options: ProxyOptions = {}): Promise<TestProxy> {
  const proxy = await startProxy(target, options);
  store.db.prepare('UPDATE remotes SET url = ? WHERE name = ?').run(proxy.url, remoteName);
  return proxy;
}
