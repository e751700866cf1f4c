import { pipeline } from 'node:stream/promises';
import { z } from '@pulse/config';
import {
  contentDisposition,
  isStorageError,
  LOCAL_STORAGE_ROUTE,
  type LocalSignedRequest,
  parseByteRange,
  verifyLocalSignature,
} from '@pulse/storage';
import { type Request, type Response, Router } from 'express';
import type { AppDeps } from '../deps';
import { errors } from '../http/errors';
import { route } from '../http/route';

const objectParams = z.object({ bucket: z.string().min(3).max(63), key: z.array(z.string()).min(1) });
const signedQuery = z.object({
  exp: z.string().regex(/^\d{1,12}$/),
  sig: z.string().min(1).max(128),
  filename: z.string().max(1024).optional(),
  disposition: z.enum(['attachment', 'inline']).optional(),
  contentType: z.string().max(255).optional(),
  contentLength: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
});

/**
 * STORAGE_BACKEND=local: what S3 presigned URLs do, served by the API. The HMAC signature in the
 * query is the only credential (like a presign), so these routes need no session.
 */
export function localStorageRoutes(deps: AppDeps): Router {
  const router = Router();
  if (deps.storage.backend !== 'local') return router;
  const { storage } = deps;

  function verify(method: 'GET' | 'PUT', params: z.output<typeof objectParams>, query: z.output<typeof signedQuery>) {
    const signed: LocalSignedRequest = { method, bucket: params.bucket, key: params.key.join('/'), ...query };
    const check = verifyLocalSignature(deps.config.s3, signed, deps.now());
    // 403 for both, as S3 answers a bad or expired presign.
    if (!check.ok && check.reason === 'expired') throw errors.forbidden('url_expired', 'this link has expired');
    if (!check.ok) throw errors.forbidden('signature_invalid', 'this link is not valid');
    return signed;
  }

  route(
    router,
    {
      method: 'get',
      path: `${LOCAL_STORAGE_ROUTE}/:bucket/*key`,
      operationId: 'localStorageGet',
      tag: 'Local storage',
      summary: 'Local backend: signed download (Range supported)',
      params: objectParams,
      query: signedQuery,
      auth: false,
      responses: {
        200: { description: 'bytes', media: 'application/octet-stream' },
        206: { description: 'partial bytes', media: 'application/octet-stream' },
        403: 'bad or expired signature',
        416: 'bad range',
      },
    },
    async (req, res, { params, query }) => {
      const signed = verify('GET', params, query);
      const info = await storage.head(signed.bucket, signed.key);
      if (!info) throw errors.notFound('object');
      const range = byteRange(req, res, info.size);
      if (range === 'unsatisfiable') return;
      const { body } = await storage.get(signed.bucket, signed.key, range ? { range: req.headers.range } : {});
      res.status(range ? 206 : 200);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Type', signed.contentType ?? info.contentType ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : info.size));
      if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
      if (signed.filename) {
        res.setHeader('Content-Disposition', contentDisposition(signed.filename, query.disposition ?? 'attachment'));
      }
      if (req.method === 'HEAD') {
        body.destroy();
        res.end();
        return;
      }
      await pipeline(body, res);
    },
  );

  route(
    router,
    {
      method: 'put',
      path: `${LOCAL_STORAGE_ROUTE}/:bucket/*key`,
      operationId: 'localStoragePut',
      tag: 'Local storage',
      summary: 'Local backend: signed upload (type and length must match the signature)',
      params: objectParams,
      query: signedQuery,
      auth: false,
      responses: { 200: 'stored', 403: 'bad or expired signature, or headers not as signed' },
    },
    async (req, res, { params, query }) => {
      const signed = verify('PUT', params, query);
      const contentType = req.get('content-type') ?? '';
      const length = req.get('content-length');
      if (signed.contentType !== undefined && contentType !== signed.contentType) {
        throw errors.forbidden('signature_mismatch', 'Content-Type does not match the signed upload');
      }
      if (signed.contentLength !== undefined && length !== String(signed.contentLength)) {
        throw errors.forbidden('signature_mismatch', 'Content-Length does not match the signed upload');
      }
      const put = await storage.put(signed.bucket, signed.key, req, {
        contentType: contentType || 'application/octet-stream',
        contentLength: length ? Number(length) : undefined,
      });
      res.setHeader('ETag', put.etag);
      res.status(200).end();
    },
  );

  return router;
}

/** Parses `Range` (single range); answers 416 itself when it can't be satisfied. */
function byteRange(req: Request, res: Response, size: number) {
  const header = req.headers.range;
  if (!header) return undefined;
  try {
    return parseByteRange(header, size);
  } catch (err) {
    if (!isStorageError(err, 'InvalidRange')) throw err;
    res.setHeader('Content-Range', `bytes */${size}`);
    res
      .status(416)
      .json({ error: { code: 'range_not_satisfiable', message: 'the requested range is not satisfiable' } });
    return 'unsatisfiable' as const;
  }
}
