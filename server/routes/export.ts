/** GET /trackers/:id/export.csv: the tracker's live items as CSV, streamed a page at a time (DESIGN §13). */
import { csvChunks } from '../csv.js';
import type { HubStore } from '../store/index.js';
import { drained } from '../compression.js';
import type { RouteHandlers } from './mount.js';

export function exportHandlers(store: HubStore): Pick<RouteHandlers, 'exportCsv'> {
  return {
    exportCsv: async ({ res, tracker }) => {
      res.status(200).type('text/csv; charset=utf-8');
      // The name is the tracker's, kept to a safe file name.
      res.setHeader('Content-Disposition', `attachment; filename="${tracker.name.replace(/[^\w.-]+/g, '_')}.csv"`);
      for await (const chunk of csvChunks(store, tracker)) {
        if (res.destroyed) return;
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
    },
  };
}
