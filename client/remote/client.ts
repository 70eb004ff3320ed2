/**
 * The HTTP client of a remote instance (got): one method per API route, its method, path and
 * answer schema read from the route table (shared/api/routes.ts), answers asked for compressed
 * and push bodies sent gzip'd, transient failures retried by ./retry.ts (each retry announced,
 * each wait cut short by the run's signal), every other failure turned into an S15nError
 * (./errors.ts).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import got, { type Got, HTTPError, type Method, type PlainResponse } from 'got';
import type { z } from 'zod';
import { type PathParams, ROUTES, type RouteSpec, routeUrl } from '../../shared/api/routes.js';
import { API_PREFIX, type ChangesPage, DEFAULT_PAGE_LIMIT, type DigestEntry, type FeedEntry, type Health, type ItemBody, NDJSON, type PushChange, type PushResult, type TrackerSchemaBody, type TrackerSummary } from '../../shared/api/schemas.js';
import { parseDigestPage, parsePushResponse } from '../../shared/api/wire-check.js';
import { Unavailable } from '../../shared/errors.js';
import { BlobTransfer } from './blobs.js';
import { failureOf, refuseRedirect, remoteError } from './errors.js';
import { inflated, ndjsonLines, parseStreamLine } from './ndjson.js';
import type { CallOptions, FeedOptions, RemoteClientOptions, RemoteEndpoint, StreamOptions } from './options.js';
import { type Failure, type RetryPolicy, attemptsFor, describeFailure, pause, retryDelay } from './retry.js';

export type { FeedOptions, RemoteClientOptions, RemoteEndpoint } from './options.js';

const gzipAsync = promisify(gzip);

/** Push bodies at least this long go gzip'd (the server compresses answers from the same size). */
const GZIP_BODY_BYTES = 1024;

export class RemoteClient {
  readonly endpoint: RemoteEndpoint;
  /** The blob routes: attachments' contents (./blobs.ts). */
  readonly blobs: BlobTransfer;
  private readonly http: Got;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  /** Continuous feeds hold their connection open: they get their own, so requests never queue behind them. */
  private readonly feedAgents: { http: HttpAgent; https: HttpsAgent };
  private readonly policy: RetryPolicy;
  private readonly options: RemoteClientOptions;

  constructor(endpoint: RemoteEndpoint, options: RemoteClientOptions = {}) {
    this.endpoint = { ...endpoint, url: endpoint.url.replace(/\/+$/, '') };
    this.options = options;
    this.policy = { retries: options.retries ?? 4, backoffLimitMs: options.backoffLimitMs ?? 4000 };
    const stall = options.timeoutMs ?? 30_000;
    const keepAlive = { keepAlive: true, maxSockets: 8 };
    this.agents = { http: new HttpAgent(keepAlive), https: new HttpsAgent(keepAlive) };
    this.feedAgents = { http: new HttpAgent(), https: new HttpsAgent() };
    // got drops `username`/`password` on later pages of a paginated call: set the header ourselves.
    const authorization = `Basic ${Buffer.from(`${endpoint.user}:${endpoint.password}`, 'utf8').toString('base64')}`;
    this.http = got.extend({
      prefixUrl: `${this.endpoint.url}${API_PREFIX}`,
      headers: { authorization, 'user-agent': 's15n', 'accept-encoding': options.compression === false ? 'identity' : 'br, gzip' },
      timeout: { connect: stall, response: stall, socket: stall },
      agent: this.agents,
      hooks: { beforeRedirect: [refuseRedirect] },
      https: { rejectUnauthorized: options.rejectUnauthorized ?? true, ...(options.ca ? { certificateAuthority: options.ca } : {}) },
      // Retries are ours (see call): POST is safe to repeat, creates carry idempotency keys and updates their bases.
      retry: { limit: 0 },
    });
    this.blobs = new BlobTransfer(this.http, this.endpoint, { retries: this.policy.retries, backoffLimitMs: this.policy.backoffLimitMs });
  }

  /**
   * Closes the kept-alive connections. Every run ends with it: a process that syncs many times
   * (the TUI, a script) would otherwise keep one idle socket per run until the server drops it.
   */
  close(): void {
    for (const agent of [this.agents.http, this.agents.https, this.feedAgents.http, this.feedAgents.https]) agent.destroy();
  }

  async health(): Promise<Health> {
    return this.getJson(ROUTES.health, {});
  }

  async listTrackers(): Promise<TrackerSummary[]> {
    return (await this.getJson(ROUTES.listTrackers, {})).trackers;
  }

  /** The tracker's schema; `ref` is its id or its name. */
  async getTracker(ref: string | number): Promise<TrackerSchemaBody> {
    return this.getJson(ROUTES.getTracker, { id: ref });
  }

  /** The remote's user names; throws Forbidden/Unauthorized when the caller may not see them. */
  async listUsers(): Promise<string[]> {
    return (await this.getJson(ROUTES.listUsers, {})).users;
  }

  async getItem(trackerId: number, itemId: number): Promise<ItemBody> {
    return this.getJson(ROUTES.getItem, { id: trackerId, itemId });
  }

  /** One page of the change feed after `since`, filtered by a selector (JSON) when `where` is given. */
  async changesPage(trackerId: number, since: number, limit = DEFAULT_PAGE_LIMIT, signal?: AbortSignal, where?: string): Promise<ChangesPage> {
    return this.getJson(ROUTES.changes, { id: trackerId }, { since: String(since), limit: String(limit), ...(where !== undefined ? { where } : {}) }, signal);
  }

  /**
   * How many entries the feed after `since` holds (the X-S15n-Total of a one-entry page): from token
   * 0 with a selector, how many items match it. A bad selector is refused (BadInput naming the part).
   */
  async countChanges(trackerId: number, since: number, where?: string): Promise<number> {
    const route = ROUTES.changes;
    const searchParams = { since: String(since), limit: '1', ...(where !== undefined ? { where } : {}) };
    try {
      const response = await this.http(urlOf(route, { id: trackerId }), { searchParams });
      const total = Number(response.headers['x-s15n-total']);
      if (!Number.isSafeInteger(total)) throw new Unavailable(`${this.endpoint.url} did not say how many changes it holds (no X-S15n-Total)`);
      return total;
    } catch (error) {
      throw remoteError(error, this.endpoint, route.subject({ id: trackerId }));
    }
  }

  /**
   * Has the remote check a selector against its tracker without reading its feed: an empty page
   * past any token (MAX_SAFE_INTEGER: 16 digits, which the route takes). A bad selector is refused (BadInput).
   */
  async checkSelector(trackerId: number, where: string): Promise<void> {
    await this.changesPage(trackerId, Number.MAX_SAFE_INTEGER, 1, undefined, where);
  }

  /** One page of the tracker's digest: live items after `after` by id, each with its version and hash. */
  async digest(trackerId: number, query: { after: number; limit: number; where?: string; fields: readonly string[] }): Promise<DigestEntry[]> {
    const searchParams = { after: String(query.after), limit: String(query.limit), fields: query.fields.join(','), ...(query.where !== undefined ? { where: query.where } : {}) };
    return this.call(ROUTES.digest, { id: trackerId }, { searchParams }, parseDigestPage);
  }

  /**
   * The change feed after `since` as an NDJSON stream, one change at a time. A stream cut midway
   * (reset, timeout, a proxy closing it) is resumed from the last change yielded, because every
   * `seq` is a valid token; after `retries` cuts in a row without progress the error is thrown. `onTotal` receives
   * the server's count of changes to come, `onRight` the caller's right on the tracker, when the
   * server sends them. With `where` (a selector, JSON) the feed is filtered: an item that does not
   * match comes as a left marker.
   */
  async *streamChanges(trackerId: number, since: number, options: StreamOptions = {}): AsyncGenerator<FeedEntry> {
    const route = ROUTES.changes;
    const params = { id: trackerId };
    let token = since;
    let failures = 0;
    let first = true;
    const signal = options.signal ?? this.options.signal;
    for (;;) {
      let ended = false;
      // got leaves its abort listener on the signal after a stream ends: an abort then destroys the
      // finished stream with no one listening (an uncaught error). A per-request signal is unlinked below.
      const request = new AbortController();
      const abort = () => request.abort();
      signal?.addEventListener('abort', abort);
      if (signal?.aborted) request.abort();
      try {
        // Inflated here, in large chunks: got's own decoder hands over 16 KiB at a time, which
        // cost a 100k clone about twice the CPU of inflating (measured, README "The wire").
        const stream = this.http.stream(urlOf(route, params), {
          searchParams: { since: String(token), ...(options.where !== undefined ? { where: options.where } : {}) },
          headers: { accept: NDJSON },
          signal: request.signal,
          decompress: false,
        });
        const body = inflated(stream, (headers) => {
          if (first) announce(headers, options);
          first = false;
        });
        for await (const line of ndjsonLines(body)) {
          const change = parseStreamLine(line);
          if (!change) {
            ended = true;
            continue;
          }
          token = change.seq;
          failures = 0;
          yield change;
        }
        if (ended) return;
        throw new StreamCut(`the change stream from ${this.endpoint.url} ended before its last line`);
      } catch (error) {
        if (signal?.aborted) throw error;
        failures += 1;
        // Cut short, or in the middle of a line: resumed from the last change held, like a reset.
        const cut = error instanceof StreamCut || error instanceof SyntaxError;
        const what = `GET ${API_PREFIX}${routeUrl(route, params)}?since=${token}`;
        await this.retryOrThrow(cut ? { code: 'ERR_STREAM_PREMATURE_CLOSE' } : failureOf(error), what, failures, () => remoteError(error, this.endpoint, route.subject(params)), signal);
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    }
  }

  /**
   * Opens the continuous feed after `since` (DESIGN §11) and resolves once the remote has answered
   * 200: the bytes that follow are NDJSON changes and bare newlines (heartbeats). Not retried
   * here, and no overall timeout: the live loop (client/sync/live-feed.ts) reconnects from its
   * own token. No byte for `idleMs` (heartbeats included) is a dead connection: the stream fails.
   */
  async openFeed(trackerId: number, since: number, options: FeedOptions): Promise<AsyncIterable<Buffer>> {
    const route = ROUTES.changes;
    const params = { id: trackerId };
    try {
      const stream = this.http.stream(urlOf(route, params), {
        searchParams: { since: String(since), feed: 'continuous', heartbeat: String(options.heartbeatMs), ...(options.where !== undefined ? { where: options.where } : {}) },
        headers: { accept: NDJSON },
        retry: { limit: 0 },
        throwHttpErrors: false,
        timeout: { request: undefined, socket: options.idleMs },
        agent: this.feedAgents,
        signal: options.signal,
      });
      const response = await new Promise<PlainResponse>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
      if (response.statusCode >= 400) {
        // A stream's error answer is not read by got: read it, so the remote's own words are in the message.
        let body = '';
        for await (const chunk of stream) body += String(chunk);
        throw new HTTPError(Object.assign(response, { body }));
      }
      return stream;
    } catch (error) {
      throw remoteError(error, this.endpoint, route.subject(params));
    }
  }

  /** Sends one batch of changes, gzip'd when it is large enough; each change is answered on its own. */
  async push(trackerId: number, changes: readonly PushChange[]): Promise<PushResult[]> {
    const json = JSON.stringify({ changes });
    const compress = this.options.compression !== false && json.length >= GZIP_BODY_BYTES;
    const body = compress ? await gzipAsync(json, { level: 1 }) : json;
    const headers = { 'content-type': 'application/json', ...(compress ? { 'content-encoding': 'gzip' } : {}) };
    const results = await this.call(ROUTES.push, { id: trackerId }, { body, headers }, (answer) => parsePushResponse(answer).results);
    if (results.length !== changes.length) {
      throw new Unavailable(`${this.endpoint.url} answered ${results.length} results for ${changes.length} changes`);
    }
    return results;
  }

  /** A GET route's JSON answer, parsed with the route's answer schema. */
  private async getJson<R extends RouteSpec>(route: R, params: PathParams<R>, searchParams?: Record<string, string>, signal?: AbortSignal): Promise<z.output<R['answer']['schema']>> {
    return this.call(route, params, { ...(searchParams ? { searchParams } : {}), ...(signal ? { signal } : {}) }, (body) => route.answer.schema.parse(body) as z.output<R['answer']['schema']>);
  }

  /**
   * Calls a route with its method at its path and reads the answer, trying again after a
   * transient failure as ./retry.ts says; a failure says what the route was about. A read is
   * cancelled by its own signal or the client's; a push, once sent, is waited for, so its answers are applied.
   */
  private async call<R extends RouteSpec, T>(route: R, params: PathParams<R>, options: CallOptions, read: (body: unknown) => T): Promise<T> {
    const method = route.method.toUpperCase() as Method;
    const signal = options.signal ?? (method === 'GET' ? this.options.signal : undefined);
    for (let attempt = 1; ; attempt++) {
      try {
        return read(await this.http(urlOf(route, params), { method, ...options, ...(signal ? { signal } : {}) }).json());
      } catch (error) {
        if (this.options.signal?.aborted || options.signal?.aborted) throw new Error('cancelled', { cause: error });
        const what = `${method} ${API_PREFIX}${routeUrl(route, params)}`;
        await this.retryOrThrow(failureOf(error), what, attempt, () => remoteError(error, this.endpoint, route.subject?.(params as Record<string, string | number>)), signal);
      }
    }
  }

  /** Announces and waits out the retry after attempt `attempt` of `what` failed, or throws `fail()` when there is none. */
  private async retryOrThrow(failure: Failure | null, what: string, attempt: number, fail: () => Error, signal = this.options.signal): Promise<void> {
    const wait = failure ? retryDelay(failure, attempt, this.policy) : null;
    if (failure === null || wait === null) throw fail();
    this.options.onRetry?.({ what: `${this.endpoint.name}: ${what}`, reason: describeFailure(failure), attempt, attempts: attemptsFor(failure, this.policy), waitMs: wait });
    await pause(wait, signal).catch(() => {
      throw new Error('cancelled');
    });
  }
}

/** Passes on what the stream's headers say: the count of changes to come and the caller's right. */
function announce(headers: Record<string, string | string[] | undefined>, options: StreamOptions): void {
  const total = Number(headers['x-s15n-total']);
  if (Number.isFinite(total)) options.onTotal?.(total);
  const right = headers['x-s15n-right'];
  if (typeof right === 'string') options.onRight?.(right);
}

/** A route's URL relative to the prefix got was given (got wants no leading slash there). */
function urlOf<R extends RouteSpec>(route: R, params: PathParams<R>): string {
  return routeUrl(route, params).slice(1);
}

/** A change stream that ended before its last line: a cut, resumed like a reset. */
class StreamCut extends Unavailable {}
