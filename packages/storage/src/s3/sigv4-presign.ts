import {
  amzDate,
  credentialScope,
  objectLocation,
  type SigV4Credentials,
  signCanonicalRequest,
  uriEncode,
} from './sigv4';

// Presigned GETs are on the download hot path (every /download is a 302 to one). The SDK's presigner
// runs its whole middleware stack per URL (~1.5 ms here); a SigV4 query signature is one SHA-256 and
// one HMAC (~13 µs) once the per-day signing key is cached. PUTs of buffers use ./sigv4-put.

export interface SigV4GetRequest extends SigV4Credentials {
  endpoint: string;
  forcePathStyle: boolean;
  bucket: string;
  key: string;
  expiresIn: number;
  /** Signed response overrides, e.g. `response-content-disposition`. */
  query?: Record<string, string | undefined>;
  now: Date;
}

export function presignGetSigV4(req: SigV4GetRequest): string {
  const { protocol, host, path } = objectLocation(req.endpoint, req.forcePathStyle, req.bucket, req.key);
  const { amzDate: date, day } = amzDate(req.now);
  const params: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${req.accessKeyId}/${credentialScope(day, req.region)}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(req.expiresIn)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  if (req.sessionToken) params.push(['X-Amz-Security-Token', req.sessionToken]);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) params.push([k, v]);
  const query = params
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .sort()
    .join('&');
  const signature = signCanonicalRequest(req, date, `GET\n${path}\n${query}\nhost:${host}\n\nhost\nUNSIGNED-PAYLOAD`);
  return `${protocol}//${host}${path}?${query}&X-Amz-Signature=${signature}`;
}
