/**
 * The prefixes under which Pulse writes objects, and the builders of every key under them. One list, so
 * that the keys the apps write, the lifecycle rules that expire them and the scans and deletes that
 * clean them up cannot disagree (the key contracts in the README). Keys are deterministic: a redelivered
 * job overwrites its own objects instead of leaving a second copy.
 */
export const PULSE_PREFIXES = {
  exports: 'exports/',
  reports: 'reports/',
  rawIq: 'sessions/',
  artifacts: 'artifacts/',
  uploads: 'uploads/',
} as const;

export type PulsePrefix = keyof typeof PULSE_PREFIXES;

/** `exports/{exportId}.{csv|ndjson|xlsx}` */
export const exportObjectKey = (exportId: string, extension: string): string =>
  `${PULSE_PREFIXES.exports}${exportId}.${extension}`;

/** `reports/{period}/{followerId}/report_{period}.{pdf|xlsx}`; the period is `YYYY-MM` or an ISO week `YYYY-Www`. */
export const reportObjectKey = (period: string, followerId: string, ext: 'pdf' | 'xlsx'): string =>
  `${PULSE_PREFIXES.reports}${period}/${followerId}/report_${period}.${ext}`;

/** `sessions/{taskId}/websdr_{receiverId}.npy` and its `…_metadata.json`. */
export function measurementObjectKeys(taskId: string, receiverId: string): { npy: string; metadata: string } {
  const base = `${PULSE_PREFIXES.rawIq}${taskId}/websdr_${receiverId}`;
  return { npy: `${base}.npy`, metadata: `${base}_metadata.json` };
}

/**
 * `uploads/{artifactId}/{fileId}{.ext}`: where a browser's presigned PUT lands. Completing the upload
 * copies it to its artifactObjectKey, which no presigned URL points at, so the completed file can't be
 * changed by the (still valid) upload URL; whatever is left here expires (retention.ts).
 */
export const uploadObjectKey = (artifactId: string, fileId: string, extension: string): string =>
  `${PULSE_PREFIXES.uploads}${artifactId}/${fileId}${extension}`;

/** `artifacts/{artifactId}/{fileId}{.ext}`: ids only, so no user text ever reaches an object key. */
export const artifactObjectKey = (artifactId: string, fileId: string, extension: string): string =>
  `${PULSE_PREFIXES.artifacts}${artifactId}/${fileId}${extension}`;
