/**
 * Compressed answers (DESIGN §15): br or gzip as Accept-Encoding prefers (q-values honoured;
 * br when both are equally welcome), nothing below the size threshold, nothing for HEAD, 304
 * or a client that asks for none. Every `res.write` is flushed through the compressor, so a
 * streamed answer (NDJSON pages, live feed lines, heartbeats) reaches the client when it is
 * written, never held back to fill a compression block.
 */
import { constants } from 'node:zlib';
import compression from 'compression';
import type { RequestHandler, Response } from 'express';
import { NDJSON } from '../shared/api/schemas.js';

/**
 * The levels, measured on the bench's items (NDJSON of ~1 KB items, scripts/bench/): brotli
 * quality 1 compresses to 22.5% at about 230 MB/s and inflates at about 340 MB/s; gzip level 1,
 * for clients without br, 23.8% at about 105 MB/s. Higher levels gain 2 to 4 points of size for
 * 2 to 8 times the CPU, which a loopback clone pays in full (README, "The wire").
 */
export const COMPRESSION = {
  brotliQuality: 1,
  gzipLevel: 1,
  /** Bytes: an answer shorter than this goes as it is (headers and CPU would cost more than the bytes saved). */
  threshold: 1024,
} as const;

const waiting = new WeakMap<Response, Set<() => void>>();

/**
 * Resolves when the client has taken what was written to `res`, or is gone (the writer then
 * sees `res.destroyed`): the way for a streamed answer to wait for a slow client. Compressed,
 * `res.on('drain')` listens on the compressor, where `res.off` and `once` cannot remove the
 * listener again: so each answer gets one drain listener for its whole life, shared by every wait.
 */
export function drained(res: Response): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  let waiters = waiting.get(res);
  if (!waiters) {
    const all = new Set<() => void>();
    const wake = () => {
      for (const resolve of all) resolve();
      all.clear();
    };
    res.on('drain', wake);
    res.on('close', wake);
    waiting.set(res, all);
    waiters = all;
  }
  const pending = waiters;
  return new Promise((resolve) => pending.add(resolve));
}

/** The middleware: compression, then a flush after every write of a streamed answer. */
export function compressAnswers(): RequestHandler {
  const compress = compression({
    // mime-db does not list NDJSON as compressible; it is JSON, line by line.
    filter: (req, res) => compression.filter(req, res) || String(res.getHeader('Content-Type') ?? '').startsWith(NDJSON),
    threshold: COMPRESSION.threshold,
    level: COMPRESSION.gzipLevel,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: COMPRESSION.brotliQuality } },
  });
  return (req, res, next) => {
    compress(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      const write = res.write;
      // A write is a point where the reader should have everything so far: flush it out of the compressor.
      res.write = function flushingWrite(this: typeof res, ...args: Parameters<typeof res.write>) {
        const accepted = write.apply(this, args);
        res.flush();
        return accepted;
      } as typeof res.write;
      next();
    });
  };
}
