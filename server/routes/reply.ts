/** A route's JSON answer, with its weak ETag and the 304 of a conditional GET when the route table asks for them. */
import type { Request, Response } from 'express';
import { entityTag, notModified } from '../../shared/api/conditional.js';

export function replyJson(req: Request, res: Response, body: unknown, etag: boolean): void {
  const json = JSON.stringify(body);
  if (etag) {
    const tag = entityTag(json);
    res.setHeader('ETag', tag);
    // Only the caller's own cache may keep it, and it must ask again each time: what makes a 304 worth having.
    res.setHeader('Cache-Control', 'private, no-cache');
    if (notModified(req.get('if-none-match'), tag)) {
      res.status(304).end();
      return;
    }
  }
  res.status(200).type('application/json').send(json);
}
