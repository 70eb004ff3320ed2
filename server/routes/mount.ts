/**
 * Mounts the route table of shared/api/routes.ts: per route its method and path, then
 * authentication, the JSON body, content negotiation, the right, the validation of path, query
 * and body, and last its handler (server/routes/<area>.ts). A handler receives what was checked,
 * already parsed. Each path of the table then answers OPTIONS, and 405 with Allow for any other
 * method, from the same table.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { ROUTES, type RouteId, type RouteSpec, type TrackerRight, allowedMethods, isTrackerRight, mediaTypesOf, routeList } from '../../shared/api/routes.js';
import { API_PREFIX } from '../../shared/api/schemas.js';
import { MethodNotAllowed, NotAcceptable } from '../../shared/errors.js';
import { clipText } from '../../shared/model/fields.js';
import { userOf } from '../auth.js';
import type { HubStore, Tracker, User } from '../store/index.js';
import { trackerFor } from './access.js';
import { parseOr400 } from './problems.js';
import { replyJson } from './reply.js';

type Spec<K extends RouteId> = (typeof ROUTES)[K];
type Parsed<R, Part extends 'params' | 'query' | 'body'> = R extends { request: { [P in Part]: infer S extends z.ZodType } } ? z.output<S> : undefined;

/** One call of a route, as its handler sees it. */
export interface RouteCall<K extends RouteId> {
  req: Request;
  res: Response;
  params: Parsed<Spec<K>, 'params'>;
  query: Parsed<Spec<K>, 'query'>;
  body: Parsed<Spec<K>, 'body'>;
  /** The authenticated caller (every route but health). */
  user: Spec<K>['right'] extends 'none' ? undefined : User;
  /** The tracker of `:id`, on which the caller has the route's right. */
  tracker: Spec<K>['right'] extends TrackerRight ? Tracker : undefined;
  /** The media type Accept chose among the route's (q-values honoured; the route's default for no Accept or `*\/*`). */
  media: string;
  /** Answers 200 with `body` as JSON; with an ETag, and 304 for a matching If-None-Match, when the route's answer has `etag`. */
  reply(body: unknown): void;
}

export type RouteHandler<K extends RouteId> = (call: RouteCall<K>) => void | Promise<void>;
/** One handler per route of the table: a route without one does not compile. */
export type RouteHandlers = { [K in RouteId]: RouteHandler<K> };

export interface MountOptions {
  store: HubStore;
  authenticate: RequestHandler;
  /** Largest accepted request body (express/bytes syntax, e.g. '16mb' or a number of bytes). */
  bodyLimit: string | number;
}

/**
 * Mounts every route on `router`. The routes that need no credentials come first; then
 * authentication runs for everything after it, unknown paths included, so a stranger learns
 * nothing of which routes exist (401 before 404).
 */
export function mountRoutes(router: Router, handlers: RouteHandlers, options: MountOptions): void {
  // Every body is JSON, whatever Content-Type says (`curl -d` sends a form type).
  const jsonBody = express.json({ limit: options.bodyLimit, strict: true, type: () => true });
  const routes = routeList();
  const open = routes.filter((r) => r.right === 'none');
  for (const route of open) mount(router, route, handlers, options.store, jsonBody);
  mountMethods(router, open);
  router.use(options.authenticate);
  const closed = routes.filter((r) => r.right !== 'none');
  for (const route of closed) mount(router, route, handlers, options.store, jsonBody);
  mountMethods(router, closed);
}

/**
 * After the routes of each path: OPTIONS answered 204 with Allow, any other method 405 with
 * Allow and the JSON error (RFC 9110 §15.5.6). HEAD never gets here: Express answers it with
 * the GET route, without the body.
 */
function mountMethods(router: Router, routes: readonly RouteSpec[]): void {
  for (const path of new Set(routes.map((r) => r.path))) {
    const allow = allowedMethods(path);
    router.all(path, (req, res, next) => {
      res.setHeader('Allow', allow.join(', '));
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next(new MethodNotAllowed(`${req.method} is not allowed on ${API_PREFIX}${clipText(req.path)} (allowed: ${allow.join(', ')})`, allow));
    });
  }
}

/** The route's media type that Accept prefers; an empty Accept counts as none (anything goes). */
function negotiate(req: Request, route: RouteSpec): string {
  const media = mediaTypesOf(route);
  if ((req.get('accept') ?? '').trim() === '') return media[0]!;
  const chosen = req.accepts(media);
  if (chosen) return chosen;
  throw new NotAcceptable(`this route answers with ${media.join(' or ')}, which Accept excludes (Accept: ${clipText(req.get('accept') ?? '')})`, media);
}

function mount(router: Router, route: RouteSpec, handlers: RouteHandlers, store: HubStore, jsonBody: RequestHandler): void {
  const handler = handlers[route.id as RouteId] as (call: RouteCall<RouteId>) => void | Promise<void>;
  const call: RequestHandler = async (req, res) => {
    const media = negotiate(req, route);
    const user = route.right === 'none' ? undefined : userOf(req);
    // The right before the input: a caller without it learns nothing from how the input is judged.
    const tracker = isTrackerRight(route.right) ? await trackerFor(store, req, route.right) : undefined;
    const { params, query, body } = route.request;
    await handler({
      req,
      res,
      user,
      tracker,
      media,
      reply: (answer: unknown) => replyJson(req, res, answer, route.answer.etag === true),
      params: params ? parseOr400(params, req.params, 'invalid path', 'path') : undefined,
      query: query ? parseOr400(query, req.query, 'invalid query', 'query') : undefined,
      // A body is named by its route: "invalid push: changes: required".
      body: body ? parseOr400(body, req.body, `invalid ${route.id}`, 'body') : undefined,
    } as RouteCall<RouteId>);
  };
  // Only a route that takes a body reads one, after authentication: nobody unknown makes the server parse 16 MiB.
  router[route.method](route.path, ...(route.request.body ? [jsonBody, call] : [call]));
}
