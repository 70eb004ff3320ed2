/**
 * Failures of a call to a remote turned into the S15nError a user can act on: which origin
 * failed and why. An answered status becomes the error class of its code (shared/errors.ts, the
 * table the server maps with); what a 404 is about comes from the route table.
 */
import { HTTPError, RequestError } from 'got';
import { ErrorBody } from '../../shared/api/schemas.js';
import { BadInput, Conflict, ERROR_STATUS, type ErrorCode, Forbidden, NotFound, S15nError, TooLarge, TooManyRequests, Unauthorized, Unavailable } from '../../shared/errors.js';
import type { Problem } from '../../shared/model/fields.js';

/** The remote as error messages name it. */
export interface RemoteOrigin {
  name: string;
  url: string;
  user: string;
}

/** Codes of TLS certificate failures (untrusted, self-signed, expired, wrong host name). */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
export const REDIRECT_REFUSED = 'ERR_S15N_REDIRECT';

/**
 * The API never redirects. got would follow a redirect from https://host to http://host with the
 * Authorization header (same host and port counts as the same site), sending it in clear: refuse.
 */
export function refuseRedirect(_options: unknown, response: { statusCode: number; headers: Record<string, string | string[] | undefined> }): never {
  const location = String(response.headers.location ?? '').slice(0, 200);
  throw Object.assign(new Error(`HTTP ${response.statusCode} to ${location}`), { code: REDIRECT_REFUSED });
}

/** What an error answer said, with the names the messages below use. */
interface Refusal {
  origin: string;
  user: string;
  said: string;
  details: unknown;
  subject: string;
}

/** The code of each error status the API answers; any other status is a remote that is unwell. */
const CODE_OF_STATUS = new Map<number, ErrorCode>(Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]));

/** One error per code a remote may answer with, in words for the user. */
const REFUSALS: Partial<Record<ErrorCode, (r: Refusal) => S15nError>> = {
  bad_input: (r) => new BadInput(`${r.origin} refused the request: ${r.said}`, problemsOf(r.details)),
  unauthorized: (r) => new Unauthorized(`${r.origin} refused the credentials of user "${r.user}"`),
  forbidden: (r) => new Forbidden(`${r.origin}: user "${r.user}" has no right to this (${r.said})`),
  not_found: (r) => new NotFound(`${r.origin}: ${r.subject} not found (${r.said})`),
  conflict: (r) => new Conflict(`${r.origin}: ${r.said}`, r.details),
  too_large: (r) => new TooLarge(`${r.origin}: request too large (${r.said}); push in smaller batches`),
  // Failed logins or too many open feeds: the server's own words say which.
  too_many_requests: (r) => new TooManyRequests(`${r.origin}: ${r.said}`),
};

/** The error codes the client words on their own (the rest read as "failed with HTTP n"). */
export const WORDED_STATUSES: readonly number[] = [...CODE_OF_STATUS].filter(([, code]) => REFUSALS[code]).map(([status]) => status);

/** Turns a got failure into the S15nError a user can act on; `subject` is what the call was about (`tracker "Bugs"`). */
export function remoteError(error: unknown, remote: RemoteOrigin, subject = 'resource'): Error {
  if (error instanceof S15nError) return error;
  const origin = `${remote.name} (${remote.url})`;
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const parsed = ErrorBody.safeParse(parseBody(error.response.body));
    const said = parsed.success ? parsed.data.error.message : `HTTP ${status}`;
    const refusal = REFUSALS[CODE_OF_STATUS.get(status) ?? 'unavailable'];
    if (refusal) return refusal({ origin, user: remote.user, said, details: parsed.success ? parsed.data.error.details : undefined, subject });
    return new Unavailable(`${origin} failed with HTTP ${status}: ${said}`);
  }
  if (error instanceof RequestError) return requestError(error, remote, origin);
  if (error instanceof SyntaxError || (error instanceof Error && error.name === 'ZodError')) {
    return new Unavailable(`${origin} sent an answer s15n does not understand: ${error.message.slice(0, 300)}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A request that got no answer: a certificate, a redirect, or the network. */
function requestError(error: RequestError, remote: RemoteOrigin, origin: string): S15nError {
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
  const hint = error.code === 'ECONNRESET' && remote.url.startsWith('http:') ? ' (the connection was closed at once: if that port serves https, use an https:// URL)' : '';
  return new Unavailable(`cannot reach remote ${remote.name} at ${remote.url}: ${error.code ?? error.message}${hint}`);
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function problemsOf(details: unknown): Problem[] {
  const problems = (details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as Problem[]) : [];
}
