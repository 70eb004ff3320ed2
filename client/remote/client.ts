/**
 * The HTTP client of a remote instance (got): one method per API route, answers parsed with the
 * shared zod schemas, transient failures retried with capped exponential backoff, every other
 * failure turned into an S15nError that says which origin failed and why.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import got, { type Got, HTTPError, RequestError } from 'got';
import type { z } from 'zod';
import {
  API_PREFIX,
  type Change,
  ChangesPage,
  DEFAULT_PAGE_LIMIT,
  ErrorBody,
  Health,
  ItemBody,
  NDJSON,
  type PushChange,
  type PushResult,
  StreamEnd,
  TrackerList,
  TrackerSchemaBody,
  type TrackerSummary,
  UserList,
} from '../../shared/api/schemas.js';
import { parseChange, parsePushResponse } from '../../shared/api/wire-check.js';
import { BadInput, Conflict, Forbidden, NotFound, S15nError, TooLarge, TooManyRequests, Unauthorized, Unavailable } from '../../shared/errors.js';

export interface RemoteEndpoint {
  /** The remote's name on this instance, used in messages. */
  name: string;
  /** Base URL of the instance, e.g. http://127.0.0.1:8080 */
  url: string;
  user: string;
  password: string;
}

export interface RemoteClientOptions {
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Retries of a transient failure (timeouts, resets, 502/503/504). */
  retries?: number;
  /** Cap of the exponential backoff between retries (ms). */
  backoffLimitMs?: number;
  /** Accept a self-signed certificate (tests, private instances). */
  rejectUnauthorized?: boolean;
  /** PEM of a certificate authority to trust for https remotes. */
  ca?: string;
}

/** Codes of network failures worth another try (the rest are answers, not accidents). */
const TRANSIENT_ERRORS = ['ETIMEDOUT', 'ECONNRESET', 'EADDRINUSE', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE'];
const TRANSIENT_STATUSES = [502, 503, 504];
/** Codes of TLS certificate failures (untrusted, self-signed, expired, wrong host name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
const REDIRECT_REFUSED = 'ERR_S15N_REDIRECT';

/**
 * The API never redirects. got would follow a redirect from https://host to http://host with the
 * Authorization header (same host and port counts as the same site), sending it in clear: refuse.
 */
function refuseRedirect(_options: unknown, response: { statusCode: number; headers: Record<string, string | string[] | undefined> }): never {
  const location = String(response.headers.location ?? '').slice(0, 200);
  throw Object.assign(new Error(`HTTP ${response.statusCode} to ${location}`), { code: REDIRECT_REFUSED });
}

export class RemoteClient {
  readonly endpoint: RemoteEndpoint;
  private readonly http: Got;
  private readonly agents: { http: HttpAgent; https: HttpsAgent };
  private readonly retries: number;
  private readonly backoffLimitMs: number;

  constructor(endpoint: RemoteEndpoint, options: RemoteClientOptions = {}) {
    this.endpoint = { ...endpoint, url: endpoint.url.replace(/\/+$/, '') };
    this.retries = options.retries ?? 4;
    this.backoffLimitMs = options.backoffLimitMs ?? 4000;
    const keepAlive = { keepAlive: true, maxSockets: 8 };
    this.agents = { http: new HttpAgent(keepAlive), https: new HttpsAgent(keepAlive) };
    // got drops `username`/`password` on later pages of a paginated call: set the header ourselves.
    const authorization = `Basic ${Buffer.from(`${endpoint.user}:${endpoint.password}`, 'utf8').toString('base64')}`;
    this.http = got.extend({
      prefixUrl: `${this.endpoint.url}${API_PREFIX}`,
      headers: { authorization, 'user-agent': 's15n' },
      timeout: { request: options.timeoutMs ?? 30_000 },
      agent: this.agents,
      hooks: { beforeRedirect: [refuseRedirect] },
      https: { rejectUnauthorized: options.rejectUnauthorized ?? true, ...(options.ca ? { certificateAuthority: options.ca } : {}) },
      retry: {
        limit: this.retries,
        // POST is safe to repeat here: creates carry idempotency keys and updates carry their bases.
        methods: ['GET', 'POST'],
        statusCodes: TRANSIENT_STATUSES,
        errorCodes: TRANSIENT_ERRORS,
        backoffLimit: this.backoffLimitMs,
        noise: 50,
      },
    });
  }

  /**
   * Closes the kept-alive connections. Every run ends with it: a process that syncs many times
   * (the TUI, a script) would otherwise keep one idle socket per run until the server drops it.
   */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async health(): Promise<Health> {
    return this.getJson('health', Health);
  }

  async listTrackers(): Promise<TrackerSummary[]> {
    return (await this.getJson('trackers', TrackerList)).trackers;
  }

  /** The tracker's schema; `ref` is its id or its name. */
  async getTracker(ref: string | number): Promise<TrackerSchemaBody> {
    return this.getJson(`trackers/${encodeURIComponent(String(ref))}`, TrackerSchemaBody, `tracker "${ref}"`);
  }

  /** The remote's user names; throws Forbidden/Unauthorized when the caller may not see them. */
  async listUsers(): Promise<string[]> {
    return (await this.getJson('users', UserList)).users;
  }

  async getItem(trackerId: number, itemId: number): Promise<ItemBody> {
    return this.getJson(`trackers/${trackerId}/items/${itemId}`, ItemBody, `item ${itemId}`);
  }

  /** One page of the change feed after `since`. */
  async changesPage(trackerId: number, since: number, limit = DEFAULT_PAGE_LIMIT): Promise<ChangesPage> {
    return this.getJson(`trackers/${trackerId}/changes`, ChangesPage, `tracker ${trackerId}`, { since: String(since), limit: String(limit) });
  }

  /**
   * The change feed after `since` as an NDJSON stream, one change at a time. A stream cut midway
   * (reset, timeout, a proxy closing it) is resumed from the last change yielded, because every
   * `seq` is a valid token; after `retries` cuts in a row the error is thrown. `onTotal` receives
   * the server's count of changes to come, `onRight` the caller's right on the tracker, when the
   * server sends them.
   */
  async *streamChanges(
    trackerId: number,
    since: number,
    options: { signal?: AbortSignal; onTotal?: (total: number) => void; onRight?: (right: string) => void } = {},
  ): AsyncGenerator<Change> {
    let token = since;
    let failures = 0;
    let first = true;
    for (;;) {
      let ended = false;
      // got leaves its abort listener on the signal after a stream ends: an abort then destroys the
      // finished stream with no one listening (an uncaught error). A per-request signal is unlinked below.
      const request = new AbortController();
      const abort = () => request.abort();
      options.signal?.addEventListener('abort', abort);
      if (options.signal?.aborted) request.abort();
      try {
        const stream = this.http.stream(`trackers/${trackerId}/changes`, {
          searchParams: { since: String(token) },
          headers: { accept: NDJSON },
          retry: { limit: 0 },
          signal: request.signal,
        });
        stream.once('response', (response: { headers: Record<string, string | string[] | undefined> }) => {
          const total = Number(response.headers['x-s15n-total']);
          if (first && Number.isFinite(total)) options.onTotal?.(total);
          const right = response.headers['x-s15n-right'];
          if (first && typeof right === 'string') options.onRight?.(right);
          first = false;
        });
        for await (const line of ndjsonLines(stream)) {
          const parsed: unknown = JSON.parse(line);
          if (parsed && typeof parsed === 'object' && 'seq' in parsed) {
            const change = parseChange(parsed);
            token = change.seq;
            failures = 0;
            yield change;
          } else {
            StreamEnd.parse(parsed);
            ended = true;
          }
        }
        if (ended) return;
        throw new Unavailable(`the change stream from ${this.endpoint.url} ended before its last line`);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const mapped = this.mapError(error, `tracker ${trackerId}`);
        if (!(mapped instanceof Unavailable) || failures >= this.retries) throw mapped;
        failures += 1;
        await delay(Math.min(this.backoffLimitMs, 250 * 2 ** (failures - 1)));
      } finally {
        options.signal?.removeEventListener('abort', abort);
      }
    }
  }

  /** Sends one batch of changes; each change is answered on its own. */
  async push(trackerId: number, changes: readonly PushChange[]): Promise<PushResult[]> {
    try {
      const body = await this.http.post(`trackers/${trackerId}/push`, { json: { changes } }).json();
      const results = parsePushResponse(body).results;
      if (results.length !== changes.length) {
        throw new Unavailable(`${this.endpoint.url} answered ${results.length} results for ${changes.length} changes`);
      }
      return results;
    } catch (error) {
      throw this.mapError(error, `tracker ${trackerId}`);
    }
  }

  private async getJson<S extends z.ZodType>(path: string, schema: S, what?: string, searchParams?: Record<string, string>): Promise<z.infer<S>> {
    try {
      const body = await this.http.get(path, searchParams ? { searchParams } : {}).json();
      return schema.parse(body);
    } catch (error) {
      throw this.mapError(error, what);
    }
  }

  /** Turns a got failure into the S15nError a user can act on. */
  mapError(error: unknown, what?: string): Error {
    if (error instanceof S15nError) return error;
    const origin = `${this.endpoint.name} (${this.endpoint.url})`;
    if (error instanceof HTTPError) {
      const status = error.response.statusCode;
      const parsed = ErrorBody.safeParse(parseBody(error.response.body));
      const said = parsed.success ? parsed.data.error.message : `HTTP ${status}`;
      const details = parsed.success ? parsed.data.error.details : undefined;
      switch (status) {
        case 400:
          return new BadInput(`${origin} refused the request: ${said}`, problemsOf(details));
        case 401:
          return new Unauthorized(`${origin} refused the credentials of user "${this.endpoint.user}"`);
        case 403:
          return new Forbidden(`${origin}: user "${this.endpoint.user}" has no right to this (${said})`);
        case 404:
          return new NotFound(`${origin}: ${what ?? 'resource'} not found (${said})`);
        case 409:
          return new Conflict(`${origin}: ${said}`, details);
        case 413:
          return new TooLarge(`${origin}: request too large (${said}); push in smaller batches`);
        case 429:
          return new TooManyRequests(`${origin}: too many failed logins; try again later`);
        default:
          return new Unavailable(`${origin} failed with HTTP ${status}: ${said}`);
      }
    }
    if (error instanceof RequestError) {
      if (CERTIFICATE_ERROR.test(error.code ?? '')) {
        // Not transient: never retried, and the message says what to do about it.
        return new S15nError(
          'unavailable',
          `${origin}: the server's TLS certificate is not trusted (${error.code}: ${error.message}); if it is self-signed or from a private CA, add the remote with --ca FILE (its PEM certificate) or set NODE_EXTRA_CA_CERTS`,
        );
      }
      if (error.code === REDIRECT_REFUSED) {
        return new S15nError('unavailable', `${origin} answered with a redirect (${error.message}); s15n does not follow redirects, so the credentials never go elsewhere: give the final URL to \`s15n remote add\``);
      }
      const hint = error.code === 'ECONNRESET' && this.endpoint.url.startsWith('http:') ? ' (the connection was closed at once: if that port serves https, use an https:// URL)' : '';
      return new Unavailable(`cannot reach remote ${this.endpoint.name} at ${this.endpoint.url}: ${error.code ?? error.message}${hint}`);
    }
    if (error instanceof SyntaxError || (error instanceof Error && error.name === 'ZodError')) {
      return new Unavailable(`${origin} sent an answer s15n does not understand: ${error.message.slice(0, 300)}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function problemsOf(details: unknown): { field: string; reason: string }[] {
  const problems = (details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as { field: string; reason: string }[]) : [];
}

/** Complete lines of an NDJSON byte stream; a stream error propagates to the caller. */
async function* ndjsonLines(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    rest += decoder.write(chunk);
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline).trim();
      rest = rest.slice(newline + 1);
      if (line !== '') yield line;
      newline = rest.indexOf('\n');
    }
  }
  const last = (rest + decoder.end()).trim();
  if (last !== '') yield last;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
