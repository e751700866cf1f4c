/** SigV4 presigned URLs can't live longer than 7 days; the local backend keeps the same window. */
export const MAX_PRESIGN_EXPIRY_S = 7 * 24 * 3600;

export function clampExpiry(requested: number | undefined, fallback: number): number {
  const value = requested === undefined || !Number.isFinite(requested) ? fallback : Math.floor(requested);
  return Math.min(MAX_PRESIGN_EXPIRY_S, Math.max(1, value));
}
