/** The one place where errors become HTTP answers: {"error": {code, message, details?}} with the right status. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_STATUS, NotFound, S15nError } from '../shared/errors.js';
import { clipText } from '../shared/model/fields.js';
import type { Logger } from './logger.js';

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** The codings express.json inflates a request body from. */
const BODY_ENCODINGS = 'gzip, deflate, br';

export function notFoundRoute(): RequestHandler {
  return (req, _res, next) => next(new NotFound(`no route ${req.method} ${clipText(req.path)}`));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A stream already started: the client sees the stream end early and resumes from its last seq.
      res.destroy();
      return;
    }
    let status: number;
    let body: { code: string; message: string; details?: unknown };
    const parserError = error as BodyParserError;
    if (error instanceof S15nError) {
      status = error.status;
      body = { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
    } else if (parserError?.type === 'entity.too.large') {
      status = ERROR_STATUS.too_large;
      body = { code: 'too_large', message: `request body larger than the limit of this instance (${parserError.message ?? ''})`.trim() };
    } else if (parserError?.type === 'entity.parse.failed') {
      status = ERROR_STATUS.bad_input;
      body = { code: 'bad_input', message: 'malformed JSON body', details: { problems: [{ field: 'body', reason: 'not valid JSON' }] } };
    } else if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      // Other client errors raised by express itself: a path with broken percent-encoding
      // (URIError), an unsupported body charset or encoding, an aborted body. DESIGN §5 answers
      // every bad input with 400, so their own 415 and the like become 400 too.
      status = ERROR_STATUS.bad_input;
      const what = error instanceof URIError ? 'malformed percent-encoding in the path' : `unreadable request body (${parserError.type ?? 'bad request'})`;
      body = { code: 'bad_input', message: what };
      if (parserError.type === 'encoding.unsupported') {
        // RFC 9110 §12.5.3: say which codings a body may come in.
        res.setHeader('Accept-Encoding', BODY_ENCODINGS);
        body = { code: 'bad_input', message: `unsupported Content-Encoding "${clipText(req.get('content-encoding') ?? '')}" (a body may come as ${BODY_ENCODINGS} or identity)`, details: { problems: [{ field: 'Content-Encoding', reason: `one of ${BODY_ENCODINGS}, identity` }] } };
      }
    } else {
      status = 500;
      body = { code: 'internal', message: 'internal error' };
      logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    }
    res.status(status).json({ error: body });
  };
}

/**
 * Requests node:http refuses before express sees them (a head over 16 KiB, a malformed request
 * line or header): answered in the same JSON shape as every other error, not Node's bare status.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : ERROR_STATUS.bad_input;
  // An answer to HEAD has no body, and bytes after it break the client's parser: send the JSON
  // body only when the request line is in sight and names another method.
  const rawPacket = (error as { rawPacket?: Buffer }).rawPacket;
  const hasBody = rawPacket !== undefined && /^(GET|POST|PUT|PATCH|DELETE|OPTIONS) /.test(rawPacket.subarray(0, 8).toString('latin1'));
  const body = hasBody
    ? JSON.stringify({
        error: tooLarge
          ? { code: 'too_large', message: 'request headers larger than 16 KiB' }
          : { code: 'bad_input', message: `malformed HTTP request (${error.code ?? 'parse error'})` },
      })
    : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
