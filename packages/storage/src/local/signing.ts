import { createHmac, timingSafeEqual } from 'node:crypto';
import type { S3Config } from '@pulse/config';

/** Where ui-api serves local-backend objects; presigned local URLs point here. */
export const LOCAL_STORAGE_ROUTE = '/api/v1/local-storage';

/**
 * What a local-backend URL signs. The query parameters carry the same names (`exp`, `sig`,
 * `filename`, `disposition`, `contentType`, `contentLength`), so a route can pass `req.query` through.
 */
export interface LocalSignedRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  /** Unix seconds. */
  exp: number | string;
  sig?: string;
  filename?: string;
  disposition?: string;
  contentType?: string;
  contentLength?: number | string;
}

export type LocalSignatureCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

type SigningConfig = Pick<S3Config, 'localSigningKey'>;

export function signLocalRequest(config: SigningConfig, req: Omit<LocalSignedRequest, 'sig'>): string {
  // A JSON array: no separator a crafted filename or key could use to shift fields around.
  const payload = JSON.stringify([
    req.method,
    req.bucket,
    req.key,
    String(req.exp),
    req.filename ?? '',
    req.disposition ?? '',
    req.contentType ?? '',
    req.contentLength === undefined ? '' : String(req.contentLength),
  ]);
  return createHmac('sha256', config.localSigningKey).update(payload).digest('base64url');
}

/** Constant-time check of a local-backend URL; the signature is checked before the expiry. */
export function verifyLocalSignature(
  config: SigningConfig,
  req: LocalSignedRequest,
  now = new Date(),
): LocalSignatureCheck {
  if (!config.localSigningKey || typeof req.sig !== 'string') return { ok: false, reason: 'invalid' };
  const exp = Number(req.exp);
  if (!Number.isInteger(exp)) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(signLocalRequest(config, req));
  const given = Buffer.from(req.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (exp * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}
