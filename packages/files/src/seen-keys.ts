import type { Db, FileStatus } from '@pulse/db';

export interface UnseenFile {
  id: string;
  objectKey: string;
}

/**
 * The keys a bucket listing has produced so far, kept in a session temp table on one connection:
 * Postgres holds them, not this process, so memory stays flat whatever the bucket size, and the
 * "rows whose object was not listed" question becomes one anti-join.
 */
export interface SeenKeys {
  /** Forgets the previous bucket's keys. */
  reset(): Promise<void>;
  /** Remembers `keys` as listed and returns the status of the rows that exist for them. */
  lookup(bucket: string, keys: string[]): Promise<Map<string, FileStatus>>;
  /** `ready` rows created before `createdBefore` whose key was never listed, by id after `afterId`. */
  unseenReady(bucket: string, options: { createdBefore: Date; afterId: string; limit: number }): Promise<UnseenFile[]>;
  release(): Promise<void>;
}

const CREATE = 'CREATE TEMP TABLE IF NOT EXISTS cleanup_seen_keys (key text PRIMARY KEY)';
// The INSERT runs whether or not the outer query reads from it (data-modifying CTEs always do).
const LOOKUP = `
  WITH seen AS (
    INSERT INTO cleanup_seen_keys (key) SELECT unnest($2::text[]) ON CONFLICT DO NOTHING
  )
  SELECT object_key, status::text AS status FROM artifact_files WHERE bucket = $1 AND object_key = ANY($2::text[])`;
const UNSEEN = `
  SELECT f.id, f.object_key FROM artifact_files f
   WHERE f.bucket = $1 AND f.status = 'ready' AND f.created_at < $2 AND f.id > $3
     AND NOT EXISTS (SELECT 1 FROM cleanup_seen_keys s WHERE s.key = f.object_key)
   ORDER BY f.id LIMIT $4`;

export async function openSeenKeys(pool: Db['pool']): Promise<SeenKeys> {
  const client = await pool.connect();
  try {
    await client.query(CREATE);
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  return {
    async reset() {
      await client.query('TRUNCATE cleanup_seen_keys');
    },
    async lookup(bucket, keys) {
      const { rows } = await client.query<{ object_key: string; status: FileStatus }>(LOOKUP, [bucket, keys]);
      return new Map(rows.map((r) => [r.object_key, r.status]));
    },
    async unseenReady(bucket, { createdBefore, afterId, limit }) {
      const { rows } = await client.query<{ id: string; object_key: string }>(UNSEEN, [
        bucket,
        createdBefore,
        afterId,
        limit,
      ]);
      return rows.map((r) => ({ id: r.id, objectKey: r.object_key }));
    },
    async release() {
      // A pooled session keeps its temp tables: drop it so the next user of the connection starts clean.
      const dropped = await client.query('DROP TABLE IF EXISTS cleanup_seen_keys').then(
        () => undefined,
        (err: Error) => err,
      );
      client.release(dropped);
    },
  };
}
