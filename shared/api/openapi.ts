/** The OpenAPI 3 document of the API, generated from the same zod schemas the server validates with. */
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  API_PREFIX,
  ChangesPage,
  ChangesQuery,
  ErrorBody,
  Health,
  ItemBody,
  NDJSON,
  PushRequest,
  PushResponse,
  TrackerList,
  TrackerSchemaBody,
  UserList,
} from './schemas.js';

type Document = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ErrorBody) });
const TrackerParams = z.object({ id: z.string().meta({ description: 'tracker id or name' }) });

const AUTH_ERRORS = {
  401: error('no or wrong credentials'),
  429: error('too many failed logins'),
};

export function openApiDocument(version: string): Document {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'basic', { type: 'http', scheme: 'basic' });
  const secured = [{ basic: [] }];
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/health`,
    summary: 'Liveness (no auth)',
    responses: { 200: { description: 'alive', content: json(Health) } },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/openapi.json`,
    summary: 'This document (no auth)',
    responses: { 200: { description: 'the OpenAPI document' } },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/trackers`,
    summary: 'Trackers the caller may view',
    security: secured,
    responses: { 200: { description: 'trackers', content: json(TrackerList) }, ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/trackers/{id}`,
    summary: 'A tracker schema: fields, statuses, schema hash',
    security: secured,
    request: { params: TrackerParams },
    responses: { 200: { description: 'schema', content: json(TrackerSchemaBody) }, 403: error('no view right'), 404: error('unknown tracker'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/trackers/{id}/changes`,
    summary: 'Items and tombstones after a token; NDJSON stream with Accept: application/x-ndjson',
    security: secured,
    request: { params: TrackerParams, query: ChangesQuery },
    responses: {
      200: { description: 'a page of changes (or one change per line, then {"next","more":false})', content: { ...json(ChangesPage), [NDJSON]: { schema: z.string() } } },
      400: error('bad token or limit'),
      403: error('no view right'),
      404: error('unknown tracker'),
      ...AUTH_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/trackers/{id}/items/{itemId}`,
    summary: 'One item',
    security: secured,
    request: { params: TrackerParams.extend({ itemId: z.string() }) },
    responses: { 200: { description: 'the item', content: json(ItemBody) }, 400: error('bad id'), 403: error('no view right'), 404: error('unknown tracker or item'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'post',
    path: `${API_PREFIX}/trackers/{id}/push`,
    summary: 'A batch of creates, updates and deletes with field-level optimistic concurrency',
    security: secured,
    request: { params: TrackerParams, body: { content: json(PushRequest) } },
    responses: {
      200: { description: 'one result per change', content: json(PushResponse) },
      400: error('malformed batch'),
      403: error('no edit right, or delete/overwrite without the admin right'),
      404: error('unknown tracker'),
      413: error('body too large'),
      ...AUTH_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${API_PREFIX}/users`,
    summary: 'User names (admin right needed)',
    security: secured,
    responses: { 200: { description: 'user names', content: json(UserList) }, 403: error('no right to list users'), ...AUTH_ERRORS },
  });
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 's15n instance API', version },
  });
}
