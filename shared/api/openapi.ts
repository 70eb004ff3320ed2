/** The OpenAPI 3 document of the API, generated from the route table and the same zod schemas the server validates with. */
import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { type RouteSpec, openApiPath, routeList, statusesOf } from './routes.js';
import { API_PREFIX, ErrorBody, JSON_MEDIA, NDJSON, OCTETS } from './schemas.js';

type Document = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const json = (schema: z.ZodType) => ({ [JSON_MEDIA]: { schema } });
type Headers = NonNullable<RouteSpec['answer']['headers']>;

/** Headers of error answers that say what to do next. */
const ERROR_HEADERS: Record<number, Headers> = {
  401: { 'WWW-Authenticate': { type: 'string', description: 'the Basic challenge, with the realm' } },
  429: { 'Retry-After': { type: 'integer', description: 'seconds until this user may try again from this address' } },
};

function headersOf(headers: Headers | undefined): ResponseConfig['headers'] {
  if (!headers || Object.keys(headers).length === 0) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([name, { type, description }]) => [name, { description, schema: { type } }]));
}

const ETAG: Headers = { ETag: { type: 'string', description: 'a weak entity tag of this answer, for If-None-Match' } };

/** What a 200 (and a 206) holds: JSON (an NDJSON stream as well), another media type, raw bytes, or nothing at all. */
function contentOf(answer: RouteSpec['answer']): ResponseConfig['content'] | undefined {
  if (answer.content === 'none') return undefined;
  if (answer.content === 'bytes') return { [OCTETS]: { schema: answer.schema } };
  const body = answer.contentType ? { [answer.contentType]: { schema: answer.schema } } : json(answer.schema);
  return { ...body, ...(answer.stream ? { [NDJSON]: { schema: z.string().meta({ description: answer.stream }) } } : {}) };
}

function answerOf(route: RouteSpec, description = route.answer.description): ResponseConfig {
  const content = contentOf(route.answer);
  const headers = headersOf({ ...route.answer.headers, ...(route.answer.etag ? ETAG : {}) });
  return { description, ...(content ? { content } : {}), ...(headers ? { headers } : {}) };
}

function responsesOf(route: RouteSpec): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const { status, reason } of statusesOf(route)) {
    const headers = headersOf(ERROR_HEADERS[status]);
    if (status === 200 || status === 206) responses[status] = answerOf(route, reason);
    else if (status === 304) responses[status] = { description: reason, headers: headersOf(ETAG)! };
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

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;
/** A schema that only says "null is allowed" (what the generator writes for z.null() and z.unknown()). */
const onlyNullable = (schema: Node) => schema.nullable === true && Object.keys(schema).every((key) => key === 'nullable' || key === 'description');

/**
 * OpenAPI 3.0 gives `nullable` a meaning only beside a `type` (3.0.3 §4.7.25.1), and Redocly
 * refuses it alone; the generator writes it alone for z.unknown() and z.null(). A schema without
 * a type already admits null, so there it goes; the null member of a union becomes `nullable`
 * on the other members. What the server accepts is unchanged: only the document's wording.
 */
function typedNullables(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) typedNullables(child);
    return;
  }
  if (!isNode(node)) return;
  for (const union of ['anyOf', 'oneOf'] as const) {
    const members = node[union];
    if (!Array.isArray(members) || !members.some((m) => isNode(m) && onlyNullable(m))) continue;
    const rest = members.filter((m) => !(isNode(m) && onlyNullable(m))) as Node[];
    for (const member of rest) if (typeof member.type === 'string') member.nullable = true;
    node[union] = rest;
  }
  if (node.nullable === true && node.type === undefined) delete node.nullable;
  for (const child of Object.values(node)) typedNullables(child);
}

export function openApiDocument(version: string): Document {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'basic', { type: 'http', scheme: 'basic' });
  for (const route of routeList()) registry.registerPath(operationOf(route));
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 's15n instance API', version, description: DESCRIPTION, license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' } },
    // Relative: the instance that serves this document is the server it describes.
    servers: [{ url: '/' }],
  });
  typedNullables(document);
  return document;
}

/** What holds for every operation, where OpenAPI has no per-operation place for it. */
const DESCRIPTION = [
  'The API of one s15n instance (HTTP Basic auth on everything but health).',
  'Every GET also answers HEAD (the same status and headers, no body). Every path answers OPTIONS with 204 and Allow,',
  'and any method it does not take with 405, Allow and the JSON error; an unknown path is 404.',
  'Answers are compressed (br or gzip) when Accept-Encoding allows it and they are larger than 1 KiB; a streamed answer is flushed batch by batch.',
  'Request bodies may be sent with Content-Encoding gzip, deflate or br; the size limit counts the inflated bytes.',
].join(' ');
