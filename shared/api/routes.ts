/**
 * Every route of the HTTP API, declared once (DESIGN §5, §9): method, path, the right it needs,
 * the schemas of its request and answer, and every status it answers with why. The server's
 * router, its request validation, the OpenAPI document and the client's URLs and error messages
 * are all read from this table, so none of them can name a route the others do not know.
 */
import { z } from 'zod';
import { BlobParams, Bytes, RangeHeaders, StoredBlobBody } from './blob-schemas.js';
import {
  ApiDocument,
  ChangesPage,
  ChangesQuery,
  DigestPage,
  DigestQuery,
  Health,
  ItemBody,
  ItemParams,
  JSON_MEDIA,
  NDJSON,
  OCTETS,
  PushRequest,
  PushResponse,
  TrackerList,
  TrackerParams,
  TrackerSchemaBody,
  UserList,
} from './schemas.js';

export * from './route-spec.js';
import { AUTH_ERRORS, type ErrorStatus, NEGOTIATION_ERRORS, NOT_MODIFIED, type RouteSpec } from './route-spec.js';


const PERCENT = 'malformed percent-encoding in the path';

/** What every answer about a blob says in its headers. */
const BLOB_HEADERS = {
  'Content-Length': { type: 'integer', description: 'the size of the content (of the range, with 206)' },
  ETag: { type: 'string', description: 'the sha256, quoted: the content never changes under it' },
  'Accept-Ranges': { type: 'string', description: 'bytes' },
} as const;

function defineRoutes<const T extends Record<string, Omit<RouteSpec, 'id'>>>(routes: T): { [K in keyof T]: T[K] & { id: K } } {
  return Object.fromEntries(Object.entries(routes).map(([id, route]) => [id, { ...route, id }])) as { [K in keyof T]: T[K] & { id: K } };
}

export const ROUTES = defineRoutes({
  health: {
    method: 'get',
    path: '/health',
    summary: 'Liveness, without credentials (load balancers, `s15n remote add`)',
    right: 'none',
    request: {},
    answer: { description: 'alive, with the version of the server', schema: Health },
    errors: {},
  },
  openApi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    right: 'auth',
    request: {},
    answer: { description: 'the OpenAPI 3.0.3 document of this API', schema: ApiDocument, etag: true },
    errors: {},
  },
  listTrackers: {
    method: 'get',
    path: '/trackers',
    summary: 'Trackers the caller may view',
    right: 'auth',
    request: {},
    answer: { description: 'the trackers the caller has the view right on', schema: TrackerList },
    errors: {},
  },
  getTracker: {
    method: 'get',
    path: '/trackers/:id',
    summary: 'A tracker schema: fields, statuses, schema hash',
    right: 'view',
    request: { params: TrackerParams },
    answer: { description: 'the tracker schema', schema: TrackerSchemaBody, etag: true },
    errors: { 400: PERCENT, 403: 'no view right on the tracker', 404: 'unknown tracker' },
    subject: (params) => `tracker "${params.id}"`,
  },
  changes: {
    method: 'get',
    path: '/trackers/:id/changes',
    summary: 'Items and tombstones after a token; an NDJSON stream with Accept: application/x-ndjson; feed=longpoll waits for a change, feed=continuous streams changes as they commit',
    right: 'view',
    request: { params: TrackerParams, query: ChangesQuery },
    answer: {
      description: 'a page of changes, the next token and whether more remain',
      schema: ChangesPage,
      stream:
        'one change per line (each with its seq, a valid token), then {"next","more":false}; with feed=continuous the backlog, then each new change as it commits (each line also with the tracker\'s schemaHash), a bare newline every heartbeat while idle, and {"next","more":false} when the feed ends (its timeout, or the server stopping)',
      headers: {
        'X-S15n-Total': { type: 'integer', description: 'how many changes follow the token' },
        'X-S15n-Right': { type: 'string', description: "the caller's right on the tracker (view, edit or admin)" },
      },
    },
    errors: {
      400: 'a bad token, limit, feed, timeout, heartbeat, selector (where) or unknown query parameter (details name it), or ' + PERCENT,
      403: 'no view right on the tracker',
      404: 'unknown tracker',
      429: 'the caller already holds as many open longpoll and continuous feeds as this instance allows per user',
    },
    subject: (params) => `tracker "${params.id}"`,
  },
  digest: {
    method: 'get',
    path: '/trackers/:id/digest',
    summary: "A page of the tracker's live items by id, each as {id, version, hash}: what `reload --verify` compares its copies with",
    right: 'view',
    request: { params: TrackerParams, query: DigestQuery },
    answer: { description: 'the items after `after` (matching `where`, when given), in id order; a page shorter than `limit` is the last', schema: DigestPage },
    errors: { 400: 'a bad id, limit, selector (where), field list or unknown query parameter (details name it), or ' + PERCENT, 403: 'no view right on the tracker', 404: 'unknown tracker' },
    subject: (params) => `tracker "${params.id}"`,
  },
  getItem: {
    method: 'get',
    path: '/trackers/:id/items/:itemId',
    summary: 'One item',
    right: 'view',
    request: { params: ItemParams },
    answer: { description: 'the item', schema: ItemBody, etag: true },
    errors: { 400: 'itemId is not a positive integer (details name it), or ' + PERCENT, 403: 'no view right on the tracker', 404: 'unknown tracker or item (a deleted item is gone)' },
    subject: (params) => `item ${params.itemId}`,
  },
  push: {
    method: 'post',
    path: '/trackers/:id/push',
    summary: 'A batch of creates, updates and deletes with field-level optimistic concurrency',
    right: 'edit',
    request: { params: TrackerParams, body: PushRequest },
    answer: { description: 'one result per change, in order (without the admin right a delete is rejected and overwrite is not honoured)', schema: PushResponse },
    errors: {
      400: 'a malformed or unreadable batch (details name each field), or ' + PERCENT,
      403: 'no edit right on the tracker',
      404: 'unknown tracker',
      413: 'a body larger than the limit of this instance (16 MiB by default)',
    },
    subject: (params) => `tracker "${params.id}"`,
  },
  exportCsv: {
    method: 'get',
    path: '/trackers/:id/export.csv',
    summary: "The tracker's live items as RFC 4180 CSV: a header row of field names and status, one row per item (what `s15n tracker import --into` reads)",
    right: 'view',
    request: { params: TrackerParams },
    answer: {
      description: 'the items as CSV, streamed a page at a time, each cell the text the field type parser reads back',
      schema: z.string().meta({ description: 'CSV text (CRLF between rows)' }),
      contentType: 'text/csv',
    },
    errors: { 400: PERCENT, 403: 'no view right on the tracker', 404: 'unknown tracker' },
    subject: (params) => `tracker "${params.id}"`,
  },
  // HEAD before GET: Express answers a HEAD with the first route of the path that can.
  headBlob: {
    method: 'head',
    path: '/trackers/:id/blobs/:sha256',
    summary: 'Whether the tracker holds an attachment content, and its size (a push asks before it uploads)',
    right: 'view',
    request: { params: BlobParams },
    answer: { description: 'the tracker holds it (no body)', schema: Bytes, content: 'none', headers: BLOB_HEADERS },
    errors: { 400: `the sha256 is not 64 lowercase hex digits, or ${PERCENT}`, 403: 'no view right on the tracker', 404: 'unknown tracker, or no such content sent to it or named by its items' },
    subject: (params) => `attachment ${String(params.sha256).slice(0, 12)}…`,
  },
  getBlob: {
    method: 'get',
    path: '/trackers/:id/blobs/:sha256',
    summary: 'The bytes of an attachment; a Range of them resumes a cut download',
    right: 'view',
    request: { params: BlobParams, headers: RangeHeaders },
    answer: {
      description: 'the whole content',
      schema: Bytes,
      content: 'bytes',
      partial: 'the range asked for (Content-Range says which bytes of how many)',
      headers: { ...BLOB_HEADERS, 'Content-Range': { type: 'string', description: 'with 206: bytes START-END/SIZE' } },
    },
    errors: {
      400: `the sha256 is not 64 lowercase hex digits, or ${PERCENT}`,
      403: 'no view right on the tracker',
      404: 'unknown tracker, or no such content sent to it or named by its items',
      416: 'a range that starts at or after the end of the content (Content-Range: bytes */SIZE)',
    },
    subject: (params) => `attachment ${String(params.sha256).slice(0, 12)}…`,
  },
  putBlob: {
    method: 'put',
    path: '/trackers/:id/blobs/:sha256',
    summary: 'Upload an attachment content under its sha256 (before the push that names it); idempotent',
    right: 'edit',
    request: { params: BlobParams, bytes: 'the content; its sha256 must be the one of the path' },
    answer: { description: 'stored (or already there): its hash and size', schema: StoredBlobBody },
    errors: {
      400: `the bytes do not hash to the sha256 of the path (nothing is kept), a bad sha256, an encoded body, or ${PERCENT}`,
      403: 'no edit right on the tracker',
      404: 'unknown tracker',
      413: 'a file larger than the limit of this instance (64 MiB by default), or past the quota of the tracker',
    },
    subject: (params) => `attachment ${String(params.sha256).slice(0, 12)}…`,
  },
  listUsers: {
    method: 'get',
    path: '/users',
    summary: 'User names (the admin right on some tracker needed)',
    right: 'auth',
    request: {},
    answer: { description: 'the user names of this instance', schema: UserList },
    errors: { 403: 'the caller has the admin right on no tracker' },
  },
});

export type Routes = typeof ROUTES;
export type RouteId = keyof Routes;

/** The routes in the order of the table. */
export function routeList(): RouteSpec[] {
  return Object.values(ROUTES);
}

/** Every status a route answers with why, in order: its 200, its 304 if it sends ETags, then its own errors, negotiation's and authentication's. */
export function statusesOf(route: RouteSpec): { status: number; reason: string }[] {
  // An answer without a body (HEAD) takes any Accept.
  const errors: Partial<Record<ErrorStatus, string>> = { ...route.errors, ...(mediaTypesOf(route).length > 0 ? NEGOTIATION_ERRORS : {}) };
  // A status both the route and authentication answer is documented with both reasons.
  for (const [status, reason] of Object.entries(route.right === 'none' ? {} : AUTH_ERRORS)) {
    const own = errors[Number(status) as ErrorStatus];
    errors[Number(status) as ErrorStatus] = own ? `${reason}; or ${own}` : reason;
  }
  const listed = Object.entries(errors).map(([status, reason]) => ({ status: Number(status), reason }));
  const ok = [{ status: 200, reason: route.answer.description }, ...(route.answer.etag ? [{ status: 304, reason: NOT_MODIFIED }] : [])];
  const partial = route.answer.partial ? [{ status: 206, reason: route.answer.partial }] : [];
  return [...ok, ...partial, ...listed.sort((a, b) => a.status - b.status)];
}

/**
 * The media types a route answers with, the default first (what `Accept: *\/*` gets); none for
 * an answer without a body (HEAD), which any Accept takes.
 */
export function mediaTypesOf(route: RouteSpec): string[] {
  if (route.answer.content === 'none') return [];
  const body = route.answer.content === 'bytes' ? OCTETS : (route.answer.contentType ?? JSON_MEDIA);
  return route.answer.stream ? [body, NDJSON] : [body];
}

/** The methods a path of the table takes, as the Allow header of a 405 or an OPTIONS answer lists them: HEAD with every GET. */
export function allowedMethods(path: string): string[] {
  const methods = routeList()
    .filter((route) => route.path === path)
    .flatMap((route) => (route.method === 'get' ? ['GET', 'HEAD'] : [route.method.toUpperCase()]));
  return [...new Set(methods), 'OPTIONS'];
}

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<Rest> : P extends `${string}:${infer Name}` ? Name : never;
/** The values of a route's path parameters, by name. */
export type PathParams<R extends { path: string }> = { [N in ParamNames<R['path']>]: string | number };

/** The route's path with its parameters filled in, each percent-encoded: `/trackers/Bugs/items/5`. */
export function routeUrl<R extends RouteSpec>(route: R, params: PathParams<R>): string {
  const values = params as Record<string, string | number>;
  return route.path.replace(/:(\w+)/g, (_whole, name: string) => encodeURIComponent(String(values[name])));
}

/** The route's path in OpenAPI form: `/trackers/{id}/changes`. */
export function openApiPath(route: RouteSpec): string {
  return route.path.replace(/:(\w+)/g, '{$1}');
}
