import { Router } from 'express';
import type { AppDeps } from '../deps';
import { renderDebugPdf } from '../files/debug-pdf';
import { storeFile } from '../files/store-file';
import { debugPdfStored } from '../http/response-schemas';
import { route } from '../http/route';
import { requireUser } from '../http/session';

/** Diagnostics for operators; mounted only with DEBUG=1, so elsewhere these paths are plain 404s. */
export function debugRoutes(deps: AppDeps): Router {
  const router = Router();
  if (!deps.config.app.debug) return router;

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/debug/s3/put-test-pdf',
      operationId: 'putTestPdf',
      tag: 'Debug',
      summary: 'DEBUG only: render a one-page PDF, store it as my file, return its id',
      responses: { 201: { description: 'stored', schema: debugPdfStored } },
    },
    async (req, _res, { reply }) => {
      const user = requireUser(req);
      const createdAt = deps.now();
      const stamp = createdAt.toISOString().replace(/[:.]/g, '-');
      const body = await renderDebugPdf({ title: 'Pulse storage test', userEmail: user.email, createdAt });
      const stored = await storeFile(deps, {
        ownerId: user.id,
        kind: 'debug',
        title: 'Storage test PDF',
        filename: `pulse-test-${stamp}.pdf`,
        contentType: 'application/pdf',
        body,
      });
      reply(201, {
        fileId: stored.fileId,
        size: stored.size,
        sha256: stored.sha256,
        downloadUrl: `/api/v1/files/${stored.fileId}/download`,
      });
    },
  );
  return router;
}
