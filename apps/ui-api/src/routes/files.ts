import { z } from '@pulse/config';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { decodeCursor } from '../files/cursor';
import { deleteFile } from '../files/delete-file';
import { presignFile, redirectToFile } from '../files/download';
import { fileItem, findFileForDownload, listReadyFiles } from '../files/file-queries';
import { completeUpload, createUpload } from '../files/uploads';
import { downloadUrl, fileItem as fileItemSchema, filePage, uploadStarted } from '../http/response-schemas';
import { route } from '../http/route';
import { requireUser } from '../http/session';

const fileParams = z.object({ id: z.uuid() });
const ARTIFACT_KINDS = ['export', 'report', 'acquisition', 'upload', 'debug'] as const;

const listQuery = z.object({
  kind: z.enum(ARTIFACT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

const uploadBody = z.strictObject({
  // Postgres text can't hold NUL; every other character is stored as sent and made safe on the way out.
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL'),
  contentType: z
    .string()
    .min(3)
    .max(127)
    .regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+"-]+)*$/, 'must be a MIME type like text/csv'),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export function filesRoutes(deps: AppDeps): Router {
  const router = Router();
  const maxExpiry = deps.config.app.downloadUrlMaxExpirySec;
  const downloadUrlQuery = z.object({
    expiry_sec: z.coerce
      .number()
      .int()
      .min(1)
      .max(maxExpiry)
      .default(Math.min(deps.config.s3.presignExpirySec, maxExpiry)),
  });

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/me/files',
      operationId: 'listMyFiles',
      tag: 'Files',
      summary: 'My ready files, newest first (keyset pagination via nextCursor)',
      query: listQuery,
      responses: { 200: { description: 'one page of my files', schema: filePage } },
    },
    async (req, _res, { query, reply }) => {
      const user = requireUser(req);
      const page = await listReadyFiles(deps.db, {
        ownerId: user.id,
        kind: query.kind,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        now: deps.now(),
      });
      reply(200, { items: page.files.map(fileItem), nextCursor: page.nextCursor });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/files/:id/download',
      operationId: 'downloadFile',
      tag: 'Files',
      summary: 'Redirect (302) to a short-lived presigned GET for my file',
      params: fileParams,
      responses: { 302: 'redirect to the bytes', 404: 'no such file', 409: 'not ready', 410: 'deleted or expired' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      await redirectToFile(deps, res, await findFileForDownload(deps, { fileId: params.id, ownerId: user.id }));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/files/:id/download-url',
      operationId: 'getFileDownloadUrl',
      tag: 'Files',
      summary: `A presigned GET URL for scripts (expiry_sec 1..${maxExpiry})`,
      params: fileParams,
      query: downloadUrlQuery,
      responses: {
        200: { description: 'a presigned URL', schema: downloadUrl },
        404: 'no such file',
        409: 'not ready',
        410: 'gone',
      },
    },
    async (req, res, { params, query, reply }) => {
      const user = requireUser(req);
      const file = await findFileForDownload(deps, { fileId: params.id, ownerId: user.id });
      const presigned = await presignFile(deps, file, { expiresIn: query.expiry_sec });
      res.setHeader('Cache-Control', 'no-store');
      reply(200, {
        file_id: file.id,
        url: presigned.url,
        expiry_sec: presigned.expiresIn,
        backend: deps.storage.backend,
      });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/files/uploads',
      operationId: 'startUpload',
      tag: 'Files',
      summary: 'Start an upload: a pending file and a presigned PUT bound to its type and size',
      body: uploadBody,
      responses: {
        201: { description: 'PUT the bytes to uploadUrl, then complete', schema: uploadStarted },
        413: 'too large',
        415: 'type not accepted',
      },
    },
    async (req, _res, { body, reply }) => {
      const user = requireUser(req);
      reply(201, await createUpload(deps, { ownerId: user.id, ...body }));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/files/:id/complete',
      operationId: 'completeUpload',
      tag: 'Files',
      summary: 'Finish an upload once the object exists with the declared size',
      params: fileParams,
      responses: {
        200: { description: 'the file', schema: fileItemSchema },
        400: 'size mismatch',
        404: 'no such file',
        409: 'object not uploaded yet',
      },
    },
    async (req, _res, { params, reply }) => {
      const user = requireUser(req);
      reply(200, fileItem(await completeUpload(deps, { fileId: params.id, ownerId: user.id })));
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/api/v1/files/:id',
      operationId: 'deleteFile',
      tag: 'Files',
      summary: 'Delete my file (row marked deleted, object removed)',
      params: fileParams,
      responses: { 204: 'deleted', 404: 'no such file' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      await deleteFile(deps, { fileId: params.id, ownerId: user.id });
      res.status(204).end();
    },
  );

  return router;
}
