/**
 * A TCP proxy of the tests' own, between a client and a server, that breaks connections the
 * way networks do: it delays every chunk, cuts a connection after so many bytes of answer,
 * resets it (RST) as soon as the client speaks, black-holes it (takes the request, never
 * answers, never closes), or cuts it after a while without traffic (an idle timeout). It works below HTTP, so it breaks the client's real sockets, keep-alive
 * and streaming included, and it can be pointed at a new server port when a killed server is
 * restarted, so the client's remote URL never changes.
 *
 * It also counts the bytes that went through, which is how the kill tests pick their moments: a
 * seeded share of the bytes an operation moves is a point of progress, not of time.
 */
import { type Server, type Socket, createServer, connect } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** Holds every chunk, both ways, this long before passing it on. */
  | { kind: 'delay'; ms: number }
  /** Passes this many bytes of answer, then destroys both sides (a cut mid-response). */
  | { kind: 'cut'; afterBytes: number }
  /** Answers the first bytes of the request with a TCP reset. */
  | { kind: 'reset' }
  /** Reads everything, answers nothing, closes nothing. */
  | { kind: 'blackhole' }
  /** Cuts the connection (both sides) once no byte went either way for this long: a proxy's idle timeout. */
  | { kind: 'idle'; ms: number };

export interface FaultProxy {
  url: string;
  /** Where the next connections go (a restarted server's port). */
  retarget(port: number): void;
  /** Connections accepted so far. */
  connections(): number;
  /** Bytes client -> server and server -> client passed on so far. */
  bytes(): { up: number; down: number };
  /**
   * A kill test's trigger: once `atBytes` bytes have gone `direction`, runs `action` before one
   * more byte goes that way (a chunk crossing the mark is split there; its rest is dropped).
   */
  tripwire(direction: 'up' | 'down', atBytes: number, action: () => void): void;
  /** Whether the tripwire went off. */
  tripped(): boolean;
  /** Stops passing data on every connection, open and future (to freeze the moment of a kill). */
  freeze(): void;
  /** Passes data again (after a freeze). */
  thaw(): void;
  /** Destroys every open connection (the server side went away). */
  dropAll(): void;
  close(): Promise<void>;
}

/** `faultFor(index)` picks the fault of each new connection (index counts from 0). */
export async function startFaultProxy(targetPort: number, faultFor: (index: number) => Fault = () => ({ kind: 'pass' })): Promise<FaultProxy> {
  let port = targetPort;
  let accepted = 0;
  let frozen = false;
  const totals = { up: 0, down: 0 };
  let wire: { direction: 'up' | 'down'; atBytes: number; action: () => void } | null = null;
  let tripped = false;
  const open = new Set<Socket>();

  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server: Server = createServer((client) => {
    const fault = faultFor(accepted);
    accepted += 1;
    track(client);
    if (frozen) return; // accepted and left hanging: the process on the other side is being killed
    if (fault.kind === 'blackhole') {
      client.resume();
      return;
    }
    if (fault.kind === 'reset') {
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    track(upstream);
    const delay = fault.kind === 'delay' ? fault.ms : 0;
    let answered = 0;
    let idle: NodeJS.Timeout | null = null;
    const active = () => {
      if (fault.kind !== 'idle') return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, fault.ms);
    };
    active();
    upstream.once('close', () => idle && clearTimeout(idle));
    const pass = (from: Socket, to: Socket, direction: 'up' | 'down') => {
      from.on('data', (chunk: Buffer) => {
        if (frozen) return;
        active();
        let data = chunk;
        if (direction === 'down' && fault.kind === 'cut') {
          const room = fault.afterBytes - answered;
          if (room <= 0) return;
          if (data.length >= room) data = data.subarray(0, room);
          answered += data.length;
        }
        const forward = () => {
          if (frozen || to.destroyed) return;
          let rest = false;
          if (wire && !tripped && wire.direction === direction && totals[direction] + data.length >= wire.atBytes) {
            rest = true;
            data = data.subarray(0, Math.max(0, wire.atBytes - totals[direction]));
          }
          if (data.length > 0) to.write(data);
          totals[direction] += data.length;
          if (rest) {
            tripped = true;
            wire!.action();
            return;
          }
          if (direction === 'down' && fault.kind === 'cut' && answered >= fault.afterBytes) {
            // Let the bytes leave, then drop both sides without a proper end.
            to.end(() => {
              client.destroy();
              upstream.destroy();
            });
          }
        };
        if (delay > 0) setTimeout(forward, delay);
        else forward();
      });
      from.once('end', () => {
        const end = () => {
          if (!frozen && !to.destroyed) to.end();
        };
        if (delay > 0) setTimeout(end, delay);
        else end();
      });
      from.once('close', () => {
        if (delay > 0) setTimeout(() => to.destroy(), delay);
        else to.destroy();
      });
    };
    pass(client, upstream, 'up');
    pass(upstream, client, 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fault proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    retarget: (next) => {
      port = next;
    },
    connections: () => accepted,
    bytes: () => ({ ...totals }),
    tripwire: (direction, atBytes, action) => {
      wire = { direction, atBytes, action };
      tripped = false;
    },
    tripped: () => tripped,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
    },
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
