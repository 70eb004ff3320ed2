/**
 * GET /openapi.json: the API's OpenAPI 3 document, for any authenticated user (DESIGN §5: Basic
 * auth on everything but health). It holds nothing of this instance's data.
 */
import { openApiDocument } from '../../shared/api/openapi.js';
import type { RouteHandlers } from './mount.js';

export function openApiHandlers(version: string): Pick<RouteHandlers, 'openApi'> {
  // Built once per app: the document depends only on the route table and the version.
  const document = openApiDocument(version);
  return {
    openApi: ({ reply }) => {
      reply(document);
    },
  };
}
