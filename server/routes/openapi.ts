/**
 * GET /openapi.json: the API's OpenAPI 3 document, for any authenticated user (DESIGN §5: Basic
 * auth on everything but health). It holds nothing of this instance's data.
 */
import { Router } from 'express';
import { openApiDocument } from '../../shared/api/openapi.js';

export function openApiRouter(version: string): Router {
  // Built once per app: the document depends only on the schemas and the version.
  const document = openApiDocument(version);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
