import { Router } from 'express';
import type { AppDeps } from '../deps';
import { openApiDocument, route } from '../http/route';

export function openapiRoutes(_deps: AppDeps): Router {
  const router = Router();
  route(
    router,
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'getOpenApiDocument',
      tag: 'Operations',
      summary: 'This API, as OpenAPI 3.1 generated from the request and response schemas',
      auth: false,
      responses: { 200: { description: 'OpenAPI document', media: 'application/json' } },
    },
    // Built per request: every router has registered its routes by the time anyone asks.
    (_req, res) => {
      res.json(openApiDocument({ title: 'Pulse API', version: '1.0.0' }));
    },
  );
  return router;
}
