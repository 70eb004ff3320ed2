/**
 * HEAD, GET and PUT /trackers/:id/blobs/:sha256: the contents of attachments (DESIGN §14). An
 * upload streams into the store while hashed (never buffered); a download streams out, a Range
 * of it on request, so a cut one resumes.
 */
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { parseRange } from '../../shared/api/range.js';
import { BadInput, NotFound, RangeNotSatisfiable, TooLarge } from '../../shared/errors.js';
import { formatSize } from '../../shared/model/files.js';
import type { BlobLimits, HubStore, Tracker } from '../store/index.js';
import type { RouteHandlers } from './mount.js';

function notFound(tracker: Tracker, sha256: string): NotFound {
  return new NotFound(`tracker "${tracker.name}" holds no attachment content ${sha256}`);
}

/** What every answer about a blob says: its length, its hash as a strong ETag, that ranges work; bytes, never to be rendered. */
function blobHeaders(res: Response, sha256: string, length: number): void {
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', 'attachment');
  res.setHeader('Content-Length', String(length));
  res.setHeader('ETag', `"${sha256}"`);
  res.setHeader('Accept-Ranges', 'bytes');
}

/** `onStored` hears of every stored upload (the app collects garbage now and then). */
export function blobsHandlers(store: HubStore, limits: BlobLimits, onStored: () => void = () => {}): Pick<RouteHandlers, 'headBlob' | 'getBlob' | 'putBlob'> {
  return {
    headBlob: async ({ res, tracker, params }) => {
      const size = await store.blobSize(tracker.id, params.sha256);
      if (size === undefined) throw notFound(tracker, params.sha256);
      blobHeaders(res, params.sha256, size);
      res.status(200).end();
    },
    getBlob: async ({ req, res, tracker, params }) => {
      const size = await store.blobSize(tracker.id, params.sha256);
      if (size === undefined) throw notFound(tracker, params.sha256);
      const range = parseRange(req.get('range'), size);
      if (range === 'unsatisfiable') {
        res.setHeader('Content-Range', `bytes */${size}`);
        throw new RangeNotSatisfiable(`the range ${req.get('range') ?? ''} starts at or after the end of the ${size} bytes`);
      }
      const blob = await store.readBlob(tracker.id, params.sha256, range ?? undefined);
      if (!blob) throw notFound(tracker, params.sha256);
      blobHeaders(res, params.sha256, range ? range.end - range.start + 1 : size);
      if (range) res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      try {
        await pipeline(blob.stream, res);
      } catch {
        // The client went away mid-download: it resumes with a Range. Nothing to answer.
        res.destroy();
      }
    },
    putBlob: async ({ req, res, tracker, params }) => {
      const encoding = req.get('content-encoding');
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
        throw new BadInput(`an attachment is sent as its bytes, not ${encoding}-encoded`, [{ field: 'Content-Encoding', reason: 'identity only' }]);
      }
      const declared = Number(req.get('content-length') ?? NaN);
      try {
        if (declared > limits.maxSize) throw new TooLarge(`the file (${formatSize(declared)}) is larger than the limit of this instance (${formatSize(limits.maxSize)})`);
        const stored = await store.putBlob(tracker.id, req, { sha256: params.sha256, limits });
        onStored();
        res.json(stored);
      } catch (error) {
        // Refused before the body was read whole: the rest is not worth reading on this connection.
        if (!req.complete) res.setHeader('Connection', 'close');
        throw error;
      }
    },
  };
}
