import type { Readable } from 'node:stream';

export type StorageBackendName = 's3' | 'local';

export interface PutOptions {
  contentType: string;
  /** Stored as x-amz-meta-* headers (ASCII values; callers keep them small). */
  metadata?: Record<string, string>;
  /** Known length of a stream body; lets small streams go in one PutObject. */
  contentLength?: number;
  contentDisposition?: string;
  signal?: AbortSignal;
  /** Called with bytes sent so far, for progress. */
  onProgress?: (bytes: number) => void;
  /**
   * Hex SHA-256 of a Buffer body that the caller already computed (e.g. for its own metadata headers):
   * the S3 backend uses it instead of hashing the body again, for the result and for the SigV4
   * payload hash (which the server verifies, so a wrong digest fails the upload). Ignored for streams.
   */
  sha256?: string;
}

export interface PutResult {
  etag: string;
  size: number;
  sha256: string;
}

export interface PresignGetOptions {
  /** Seconds; clamped to 1 s … 7 days (the SigV4 maximum). Defaults to config. */
  expiresIn?: number;
  /** Offered to the browser via Content-Disposition (RFC 6266 + RFC 5987 filename*). */
  filename?: string;
  contentType?: string;
  /** `attachment` (default) or `inline`. */
  disposition?: 'attachment' | 'inline';
}

export interface PresignPutOptions {
  expiresIn?: number;
  contentType: string;
  /** When set, the signature binds the exact length. */
  contentLength?: number;
}

export interface PresignedUrl {
  url: string;
  expiresIn: number;
  expiresAt: Date;
  /** Headers the client must send with the request (presigned PUT: the signed Content-Type). */
  headers?: Record<string, string>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
  contentType?: string;
  metadata?: Record<string, string>;
}

export type DeleteOutcome = 'DELETED' | 'ERROR' | 'UNKNOWN';
export interface DeleteManyResult {
  deleted: string[];
  /** Keys the server refused, with its reason. */
  errors: { key: string; code: string; message: string }[];
  /** A batch whose request failed mid-way: those keys may or may not have been deleted. */
  unknown: string[];
}

export interface LifecycleRule {
  id: string;
  prefix: string;
  /** Delete objects this many days old; unset: a rule that only aborts incomplete multipart uploads. */
  expirationDays?: number;
  /** Abort incomplete multipart uploads after this many days. */
  abortIncompleteMultipartDays?: number;
}

export interface CorsResult {
  applied: boolean;
  /** The server has no bucket CORS (or the local backend, which serves from the API's own origin). */
  unsupported?: boolean;
  changed?: boolean;
}

export interface LifecycleResult {
  applied: boolean;
  /** `NotImplemented` and similar: the server can't do it; retention is enforced by cleanup-worker. */
  unsupported?: boolean;
  changed?: boolean;
}

export interface MultipartUploadInfo {
  key: string;
  uploadId: string;
  initiated?: Date;
}

/** How the S3 backend is set up, without secrets: for deep health output. */
export interface StorageDetail {
  /** Host of the endpoint in use; `null`: the SDK's AWS endpoint for the region. */
  endpoint: string | null;
  region: string;
  /** `static`: configured keys; `default-chain`: the SDK's provider chain (role, profile, env…). */
  credentials: 'static' | 'default-chain';
  /** Server-side encryption requested on every write, or null. The KMS key id itself is not shown. */
  encryption: { algorithm: 'AES256' | 'aws:kms'; kmsKeyId: 'configured' | 'bucket default' | null } | null;
  /** Whether the apps create buckets and write CORS/lifecycle rules themselves. */
  manageBuckets: boolean;
}

export interface HealthResult {
  ok: boolean;
  backend: StorageBackendName;
  latencyMs: number;
  buckets: Record<string, boolean>;
  error?: string;
  detail?: StorageDetail;
}

/** The storage API every app depends on; `s3` and `local` backends implement it. */
export interface Storage {
  readonly backend: StorageBackendName;
  put(bucket: string, key: string, body: Buffer | Readable, options: PutOptions): Promise<PutResult>;
  get(
    bucket: string,
    key: string,
    options?: { signal?: AbortSignal; range?: string },
  ): Promise<{ body: Readable; info: ObjectInfo }>;
  head(bucket: string, key: string): Promise<ObjectInfo | null>;
  exists(bucket: string, key: string): Promise<boolean>;
  presignGet(bucket: string, key: string, options?: PresignGetOptions): Promise<PresignedUrl>;
  presignPut(bucket: string, key: string, options: PresignPutOptions): Promise<PresignedUrl>;
  /** Server-side copy within a bucket (content type and metadata kept, encrypted like every write). */
  copy(bucket: string, fromKey: string, toKey: string): Promise<ObjectInfo>;
  delete(bucket: string, key: string): Promise<void>;
  /** Cleanup flows: never throws; reports the outcome instead. */
  deleteQuietly(bucket: string, key: string): Promise<DeleteOutcome>;
  deleteMany(bucket: string, keys: string[]): Promise<DeleteManyResult>;
  /** Every object under `prefix`, page by page (bounded memory whatever the bucket size). */
  list(
    bucket: string,
    prefix?: string,
    options?: { pageSize?: number; signal?: AbortSignal },
  ): AsyncIterable<ObjectInfo>;
  listMultipartUploads(bucket: string, prefix?: string): AsyncIterable<MultipartUploadInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  ensureBucket(bucket: string): Promise<void>;
  putLifecycle(bucket: string, rules: LifecycleRule[]): Promise<LifecycleResult>;
  getLifecycle(bucket: string): Promise<LifecycleRule[] | null>;
  /**
   * The origin browsers open this bucket's presigned URLs at (for a page's CSP connect-src); null when
   * it is the API's own origin (local backend).
   */
  browserOrigin(bucket: string): string | null;
  /** Lets pages from these origins use presigned URLs on the bucket from script (bucket CORS). */
  allowBrowserOrigins(bucket: string, origins: string[]): Promise<CorsResult>;
  health(buckets?: string[]): Promise<HealthResult>;
  close(): void;
}
