/**
 * Every route of the HTTP API, declared once (DESIGN §5, §9): method, path, the right it needs,
 * the schemas of its request and answer, and every status it answers with why. The server's
 * router, its request validation, the OpenAPI document and the client's URLs and error messages
 * are all read from this table, so none of them can name a route the others do not know.
 */
import type { z } from 'zod';
import {
  ApiDocument,
  ChangesPage,
  ChangesQuery,
  DigestPage,
  DigestQuery,
  Health,
  ItemBody,
  ItemParams,
  PushRequest,
  PushResponse,
  TrackerList,
  TrackerParams,
  TrackerSchemaBody,
  UserList,
} from './schemas.js';

/** Who may call a route: anyone, any authenticated user, or a user with that right on the tracker named by `:id`. */
export type RouteRight = 'none' | 'auth' | 'view' | 'edit';
/** The rights checked against the tracker of the path (the others need no tracker). */
const TRACKER_RIGHTS = ['view', 'edit'] as const;
export type TrackerRight = (typeof TRACKER_RIGHTS)[number];

/** The error statuses of the API (DESIGN §5); shared/errors.ts gives each its code. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429;

export interface RouteRequest {
  /** The path parameters (`:name` in the path), strings on the wire. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body, read whatever its Content-Type says. */
  body?: z.ZodType;
}

export interface RouteAnswer {
  /** What a 200 holds. */
  description: string;
  /** The JSON answer. */
  schema: z.ZodType;
  /** With `Accept: application/x-ndjson` the answer streams instead: what its lines hold. */
  stream?: string;
  /** Headers the answer carries, by name, with what they say. */
  headers?: Record<string, { type: 'integer' | 'string'; description: string }>;
}

export interface RouteSpec {
  /** The route's name: the OpenAPI operationId, the handler's key on the server. */
  id: string;
  method: 'get' | 'post';
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

const PERCENT = 'malformed percent-encoding in the path';

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
    answer: { description: 'the OpenAPI 3.0.3 document of this API', schema: ApiDocument },
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
    answer: { description: 'the tracker schema', schema: TrackerSchemaBody },
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
    answer: { description: 'the item', schema: ItemBody },
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

/** Every status a route answers with why, in order: its 200, its own errors, authentication's. */
export function statusesOf(route: RouteSpec): { status: number; reason: string }[] {
  const errors: Partial<Record<ErrorStatus, string>> = { ...route.errors };
  // A status both the route and authentication answer is documented with both reasons.
  for (const [status, reason] of Object.entries(route.right === 'none' ? {} : AUTH_ERRORS)) {
    const own = errors[Number(status) as ErrorStatus];
    errors[Number(status) as ErrorStatus] = own ? `${reason}; or ${own}` : reason;
  }
  const listed = Object.entries(errors).map(([status, reason]) => ({ status: Number(status), reason }));
  return [{ status: 200, reason: route.answer.description }, ...listed.sort((a, b) => a.status - b.status)];
}

/** Whether a route's right is checked against the tracker of its path. */
export function isTrackerRight(right: RouteRight): right is TrackerRight {
  return (TRACKER_RIGHTS as readonly string[]).includes(right);
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
