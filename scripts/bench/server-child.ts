/** A server of the bench in its own process (floor, PouchDB or s15n), driven by the bench over IPC. */
import type { ByteCounter, RequestCounter } from './listen.js';
import { type Handlers, peakRssMb, serveRpc } from './rpc.js';

export type ServerKind = 'floor' | 's15n' | 'pouch' | 'files';

export interface StartServer {
  kind: ServerKind;
  /** The master's data dir (s15n), its SQLite file (floor) or the PouchDB directory. */
  dir: string;
  trackerId: number;
  items: number;
  /** PouchDB: serve compressed answers (express-pouchdb's compression middleware). */
  compress?: boolean;
}

let requests: RequestCounter | null = null;
let bytes: ByteCounter | null = null;
let edit: ((count: number, mark: string) => Promise<number> | number) | null = null;
let close: () => unknown = () => undefined;
let lastCpu = process.cpuUsage();

const handlers = {
  async start(args: StartServer): Promise<{ url: string }> {
    // Each kind imports only its own stack, so a server's RSS is its own.
    if (args.kind === 'floor') {
      const { serveFloor } = await import('./floor.js');
      const floor = await serveFloor(args.dir, args.trackerId);
      requests = floor.requests;
      close = () => {
        floor.server.close();
        floor.close();
      };
      return { url: floor.url };
    }
    if (args.kind === 'files') {
      const { serveFiles } = await import('./attachments.js');
      const files = await serveFiles(args.dir);
      requests = files.requests;
      close = () => files.close();
      return { url: files.url };
    }
    if (args.kind === 'pouch') {
      const { editDocs, servePouch } = await import('./pouch.js');
      const pouch = await servePouch(args.dir, args.compress === true);
      requests = pouch.requests;
      edit = (count, mark) => editDocs(pouch.db, args.items, count, mark);
      close = () => pouch.server.close();
      return { url: pouch.url };
    }
    const [{ serveS15n }, { editItems }, { USER }] = await Promise.all([import('./master.js'), import('./edits.js'), import('./items.js')]);
    const s15n = await serveS15n(args.dir);
    requests = s15n.requests;
    bytes = s15n.bytes;
    edit = (count, mark) => editItems(s15n.store, args.trackerId, count, mark, USER);
    close = () => s15n.close();
    return { url: s15n.url };
  },
  /** Changes `count` items on this side (the remote changes a reload brings). */
  edit(args: { count: number; mark: string }): Promise<number> | number {
    if (!edit) throw new Error('this server has no items to edit');
    return edit(args.count, args.mark);
  },
  requests: () => requests?.take() ?? { total: 0, byRoute: {} },
  /** Bytes written to clients since the last call (s15n only). */
  bytes: () => bytes?.take() ?? 0,
  /** CPU time (user + system, ms) of this process since the last call: steadier than elapsed time on a busy machine. */
  cpu: () => {
    const now = process.cpuUsage();
    const ms = (now.user + now.system - (lastCpu.user + lastCpu.system)) / 1000;
    lastCpu = now;
    return ms;
  },
  rss: () => peakRssMb(),
} satisfies Handlers;

serveRpc(handlers, () => close());
