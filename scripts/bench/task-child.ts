/**
 * One measured task of the bench in a fresh process: its time, and the peak RSS of the process
 * that did it. Each task imports only its own modules, so one's RSS does not carry another's
 * libraries (PouchDB, Ink and React are large).
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Handlers, peakRssMb, serveRpc } from './rpc.js';

/**
 * Runs `task` and adds the elapsed time and the CPU time of this process (unless the task timed
 * itself, around its engine call alone), and this process's peak RSS. CPU time barely moves when
 * other work shares the machine; elapsed time does.
 */
async function measured<T extends object>(task: () => Promise<T> | T): Promise<T & { ms: number; cpuMs: number; rssMb: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await task();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, ...result, rssMb: peakRssMb() };
}

const handlers = {
  async buildMaster(args: { dir: string; items: number }) {
    const { buildMaster } = await import('./master.js');
    return measured(() => buildMaster(args.dir, args.items));
  },
  async seedPouch(args: { dir: string; items: number }) {
    const { seedPouch } = await import('./pouch.js');
    return measured(async () => ({ done: await seedPouch(args.dir, args.items) }));
  },
  async floorClone(args: { url: string; dir: string }) {
    const { floorClone } = await import('./floor.js');
    mkdirSync(args.dir, { recursive: true });
    return measured(async () => ({ items: await floorClone(args.url, args.dir) }));
  },
  /** Clone and reload are the same call for PouchDB: replicate everything new from the remote. */
  async pouchPull(args: { url: string; dir: string }) {
    const { openLocalPouch } = await import('./pouch.js');
    const db = openLocalPouch(args.dir);
    const result = await measured(async () => ({ items: (await db.replicate.from(args.url)).docs_written }));
    await db.close();
    return result;
  },
  async pouchPush(args: { url: string; dir: string; total: number; count: number; mark: string; offset: number }) {
    const { editDocs, openLocalPouch } = await import('./pouch.js');
    const db = openLocalPouch(args.dir);
    await editDocs(db, args.total, args.count, args.mark, args.offset);
    const result = await measured(async () => ({ items: (await db.replicate.to(args.url)).docs_written }));
    await db.close();
    return result;
  },
  /** `compression: false` asks the client for plain answers and plain push bodies (the figures "without compression"); `where` makes a partial clone. */
  async s15nClone(args: { url: string; dir: string; trackerId: number; compression?: boolean; where?: string }) {
    const { s15nClone } = await import('./s15n.js');
    return measured(() => s15nClone(args.dir, args.url, args.trackerId, { remote: { compression: args.compression !== false }, ...(args.where === undefined ? {} : { where: args.where }) }));
  },
  async s15nReload(args: { dir: string; compression?: boolean; verify?: boolean }) {
    const { s15nReload } = await import('./s15n.js');
    return measured(() => s15nReload(args.dir, { remote: { compression: args.compression !== false }, verify: args.verify === true }));
  },
  async s15nPush(args: { dir: string; count: number; mark: string; offset: number; compression?: boolean }) {
    const { s15nPush } = await import('./s15n.js');
    return measured(() => s15nPush(args.dir, args.count, args.mark, args.offset, { compression: args.compression !== false }));
  },
  async buildAttachmentMaster(args: { dir: string; items: number; bytesEach: number }) {
    const { buildAttachmentMaster } = await import('./attachments.js');
    return measured(() => buildAttachmentMaster(args.dir, args.items, args.bytesEach));
  },
  async rawFetch(args: { url: string; hashes: string[]; dir: string }) {
    const { rawFetch } = await import('./attachments.js');
    return measured(() => rawFetch(args.url, args.hashes, args.dir));
  },
  async merge(args: { field: 'title' | 'description' }) {
    const { mergeRate } = await import('./merge.js');
    return measured(() => mergeRate(args.field));
  },
  async tui(args: { dir: string; tracker: string | null; presses: number }) {
    const { tuiKeypress } = await import('./tui.js');
    return measured(() => tuiKeypress(args.dir, args.tracker, args.presses));
  },
} satisfies Handlers;

serveRpc(handlers);
