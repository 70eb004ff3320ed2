/** The OpenAPI 3 document of the API, generated from the route table and the same zod schemas the server validates with. */
import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { type RouteSpec, openApiPath, routeList, statusesOf } from './routes.js';
import { API_PREFIX, ErrorBody, NDJSON } from './schemas.js';

type Document = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const OCTETS = 'application/octet-stream';
type Headers = NonNullable<RouteSpec['answer']['headers']>;

/** Headers of error answers that say what to do next. */
const ERROR_HEADERS: Record<number, Headers> = {
  401: { 'WWW-Authenticate': { type: 'string', description: 'the Basic challenge, with the realm' } },
  429: { 'Retry-After': { type: 'integer', description: 'seconds until this user may try again from this address' } },
};

function headersOf(headers: Headers | undefined): ResponseConfig['headers'] {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([name, { type, description }]) => [name, { description, schema: { type } }]));
}

/** What a 200 (and a 206) holds: JSON, an NDJSON stream as well, raw bytes, or nothing at all. */
function contentOf(answer: RouteSpec['answer']): ResponseConfig['content'] | undefined {
  if (answer.content === 'none') return undefined;
  if (answer.content === 'bytes') return { [OCTETS]: { schema: answer.schema } };
  return { ...json(answer.schema), ...(answer.stream ? { [NDJSON]: { schema: z.string().meta({ description: answer.stream }) } } : {}) };
}

function answerOf(route: RouteSpec, description = route.answer.description): ResponseConfig {
  const content = contentOf(route.answer);
  const headers = headersOf(route.answer.headers);
  return { description, ...(content ? { content } : {}), ...(headers ? { headers } : {}) };
}

function responsesOf(route: RouteSpec): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const { status, reason } of statusesOf(route)) {
    const headers = headersOf(ERROR_HEADERS[status]);
    if (status === 200 || status === 206) responses[status] = answerOf(route, reason);
    // An answer to HEAD has no body, its errors neither.
    else responses[status] = { description: reason, ...(route.method === 'head' ? {} : { content: json(ErrorBody) }), ...(headers ? { headers } : {}) };
  }
  return responses;
}

function operationOf(route: RouteSpec): RouteConfig {
  const { params, query, body, bytes, headers } = route.request;
  const requestBody = body ? { required: true, content: json(body) } : bytes ? { required: true, description: bytes, content: { [OCTETS]: { schema: z.string().meta({ format: 'binary' }) } } } : undefined;
  return {
    method: route.method,
    path: `${API_PREFIX}${openApiPath(route)}`,
    operationId: route.id,
    summary: route.summary,
    // Every route but health asks for credentials; health says so with an empty list.
    security: route.right === 'none' ? [] : [{ basic: [] }],
    request: { ...(params ? { params } : {}), ...(query ? { query } : {}), ...(headers ? { headers } : {}), ...(requestBody ? { body: requestBody } : {}) },
    responses: responsesOf(route),
  };
}

export function openApiDocument(version: string): Document {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'basic', { type: 'http', scheme: 'basic' });
  for (const route of routeList()) registry.registerPath(operationOf(route));
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 's15n instance API', version, license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' } },
    // Relative: the instance that serves this document is the server it describes.
    servers: [{ url: '/' }],
  });
}
