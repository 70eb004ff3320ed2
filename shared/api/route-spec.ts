/** The shape of a route of the table (shared/api/routes.ts): its right, request, answer and the statuses every route shares. */
import type { z } from 'zod';

/** Who may call a route: anyone, any authenticated user, or a user with that right on the tracker named by `:id`. */
export type RouteRight = 'none' | 'auth' | 'view' | 'edit';
/** The rights checked against the tracker of the path (the others need no tracker). */
const TRACKER_RIGHTS = ['view', 'edit'] as const;
export type TrackerRight = (typeof TRACKER_RIGHTS)[number];

/** Whether a route's right is checked against the tracker of its path. */
export function isTrackerRight(right: RouteRight): right is TrackerRight {
  return (TRACKER_RIGHTS as readonly string[]).includes(right);
}

/** The error statuses of the API (DESIGN §5); shared/errors.ts gives each its code. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 406 | 409 | 413 | 416 | 429;

export interface RouteRequest {
  /** The path parameters (`:name` in the path), strings on the wire. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body, read whatever its Content-Type says. */
  body?: z.ZodType;
  /** A body of raw bytes instead (what they are): streamed to the handler, never parsed nor buffered. */
  bytes?: string;
  /** Request headers the route reads, for the document. */
  headers?: z.ZodObject;
}

export interface RouteAnswer {
  /** What a 200 holds. */
  description: string;
  /** The JSON answer (or, with `contentType`, the text of the answer). */
  schema: z.ZodType;
  /** The answer's media type when it is not JSON (`text/csv`). */
  contentType?: string;
  /** With `Accept: application/x-ndjson` the answer streams instead: what its lines hold. */
  stream?: string;
  /** Headers the answer carries, by name, with what they say. */
  headers?: Record<string, { type: 'integer' | 'string'; description: string }>;
  /**
   * The answer carries a weak ETag (a hash of its JSON) and honours If-None-Match (RFC 9110
   * §13.1.2): a matching tag, or `*`, is answered 304 without a body.
   */
  etag?: true;
  /** What the answer body is: JSON (the default), raw bytes (`application/octet-stream`), or nothing (HEAD). */
  content?: 'json' | 'bytes' | 'none';
  /** The route also answers 206 Partial Content: when. */
  partial?: string;
}

export interface RouteSpec {
  /** The route's name: the OpenAPI operationId, the handler's key on the server. */
  id: string;
  method: 'get' | 'post' | 'put' | 'head';
  /** Express-style, under API_PREFIX: `/trackers/:id/changes`. */
  path: string;
  summary: string;
  right: RouteRight;
  request: RouteRequest;
  answer: RouteAnswer;
  /** Each error status the route itself answers, with why; authentication adds its own (AUTH_ERRORS). */
  errors: Partial<Record<ErrorStatus, string>>;
  /** What the route is about, in the client's words for a 404 (`tracker "Bugs"`, `item 5`). */
  subject?: (params: Record<string, string | number>) => string;
}

/** What authentication answers on every route that needs it, before the route sees the request. */
export const AUTH_ERRORS = {
  401: 'no or wrong credentials (WWW-Authenticate names the Basic realm)',
  429: 'too many failed logins for this user from this address (Retry-After says when to try again)',
} as const satisfies Partial<Record<ErrorStatus, string>>;

/** What content negotiation answers on every route, before the route sees the request. */
export const NEGOTIATION_ERRORS = {
  406: 'the Accept header excludes every media type this route answers with (details list them)',
} as const satisfies Partial<Record<ErrorStatus, string>>;

/** What a conditional GET answers when the representation is the one the caller holds. */
export const NOT_MODIFIED = 'not modified: If-None-Match names the current ETag (weak comparison) or is *; no body';
