/** A server of the bench on a free loopback port, counting the HTTP requests it receives (the round trips of a sync). */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const HOST = '127.0.0.1';

/** Requests by method and path (ids and query left out), since the last reset. */
export class RequestCounter {
  private counts = new Map<string, number>();

  count(req: IncomingMessage): void {
    const path = (req.url ?? '').split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id');
    const key = `${req.method ?? '?'} ${path}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The counts so far, and starts again from zero. */
  take(): { total: number; byRoute: Record<string, number> } {
    const byRoute = Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    this.counts = new Map();
    return { total, byRoute };
  }
}

/** Bytes the server wrote to its sockets (headers and bodies, as they went on the wire), since the last take. */
export class ByteCounter {
  private readonly open = new Set<Socket>();
  private closed = 0;
  private taken = 0;

  watch(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      this.closed += socket.bytesWritten;
    });
  }

  take(): number {
    let now = this.closed;
    for (const socket of this.open) now += socket.bytesWritten;
    const since = now - this.taken;
    this.taken = now;
    return since;
  }
}

export interface Listening {
  url: string;
  server: Server;
  requests: RequestCounter;
  bytes: ByteCounter;
}

/** Starts a server through `start` on port 0 and counts every request it receives. */
export async function listen(start: (port: number, host: string, ready: () => void) => Server): Promise<Listening> {
  let server: Server | undefined;
  await new Promise<void>((resolve, reject) => {
    server = start(0, HOST, resolve);
    server.once('error', reject);
  });
  return attach(server!);
}

/** Counts the requests of a server that is already listening. */
export function attach(server: Server): Listening {
  const requests = new RequestCounter();
  const bytes = new ByteCounter();
  server.on('request', (req: IncomingMessage) => requests.count(req));
  server.on('connection', (socket: Socket) => bytes.watch(socket));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${HOST}:${port}`, server, requests, bytes };
}
