import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppDeps } from '../deps';

const PAGE_DIR = fileURLToPath(new URL('../../public/api-docs', import.meta.url));
// Swagger UI's own distribution, served from node_modules: the docs work offline.
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** `/api/docs`: the OpenAPI document as a page (Swagger UI) where a signed-in user can try requests. */
export function apiDocsRoutes(_deps: AppDeps): Router {
  const router = Router();
  router.get('/api/docs', (_req, res) => res.sendFile(path.join(PAGE_DIR, 'index.html')));
  router.use('/api/docs/assets', express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  router.use('/api/docs', express.static(PAGE_DIR, { index: false }));
  return router;
}
