import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { eventually, LogCapture } from '@pulse/testing';
import { type Change, type ChangeFeed, RowCache, startChangeFeed } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

const FEED_APP = 'pulse_change_feed_test';

let t: OpenTestDb;
let feed: ChangeFeed;
const heard: Array<Change | null> = [];
const logs = new LogCapture();

/** Notifications arrive asynchronously, after the writer's commit. */
const until = (check: () => boolean) => eventually(check);

async function seedFile() {
  const user = await t.db.prisma.user.create({ data: { email: `${crypto.randomUUID()}@feed.test`, name: 'Feed' } });
  const artifact = await t.db.prisma.artifact.create({ data: { ownerId: user.id, kind: 'upload', title: 'f' } });
  const file = await t.db.prisma.artifactFile.create({
    data: {
      artifactId: artifact.id,
      ownerId: user.id,
      bucket: 'b',
      objectKey: `k/${crypto.randomUUID()}`,
      contentType: 'text/plain',
      originalFilename: 'f.txt',
      status: 'ready',
    },
  });
  return { user, file };
}

beforeAll(async () => {
  t = await openTestDb('pulse_db_t');
  const url = (t.db.pool.options as { connectionString: string }).connectionString;
  feed = startChangeFeed({
    connectionString: url,
    logger: createLogger({ name: 'feed-test', destination: logs }),
    applicationName: FEED_APP,
    retryMs: 50,
    heartbeatMs: 500,
  });
  feed.subscribe((change) => heard.push(change));
  await until(() => feed.live);
});
afterAll(async () => {
  await feed?.close();
  await t?.dispose();
});

describe('change feed', () => {
  it('hears committed updates and deletes of files, sessions and users, not inserts', async () => {
    const { user, file } = await seedFile();
    heard.length = 0;
    await t.db.pool.query(`UPDATE artifact_files SET status = 'deleted' WHERE id = $1`, [file.id]);
    await t.db.pool.query('UPDATE users SET name = $2 WHERE id = $1', [user.id, 'Renamed']);
    await until(() => heard.length >= 2);
    expect(heard).toEqual([
      { table: 'artifact_files', id: file.id },
      { table: 'users', id: user.id },
    ]);

    heard.length = 0;
    const session = await t.db.prisma.authSession.create({
      data: { userId: user.id, tokenHash: crypto.randomUUID(), expiresAt: new Date(Date.now() + 60_000) },
    });
    await t.db.prisma.authSession.delete({ where: { id: session.id } });
    await until(() => heard.length >= 1);
    // The insert before it said nothing.
    expect(heard).toEqual([{ table: 'auth_sessions', id: session.id }]);
  });

  it('hears nothing of a transaction that rolls back', async () => {
    const { file } = await seedFile();
    const { user: marker } = await seedFile();
    heard.length = 0;
    const client = await t.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE artifact_files SET status = 'missing' WHERE id = $1`, [file.id]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // A change after it, to know the feed has caught up.
    await t.db.pool.query('UPDATE users SET name = name WHERE id = $1', [marker.id]);
    await until(() => heard.length >= 1);
    expect(heard).toEqual([{ table: 'users', id: marker.id }]);
  });
});

describe('RowCache over the feed', () => {
  const loader = (fileId: string, counter: { loads: number }) => async () => {
    counter.loads++;
    const { rows } = await t.db.pool.query<{ status: string }>('SELECT status FROM artifact_files WHERE id = $1', [
      fileId,
    ]);
    return rows[0] ? { value: rows[0].status, rows: [`artifact_files:${fileId}`] } : undefined;
  };

  it('serves a row from memory until it changes anywhere, then reads it again', async () => {
    const cache = new RowCache<string>(feed, { ttlMs: 60_000, maxEntries: 100 });
    const { file } = await seedFile();
    const c = { loads: 0 };
    expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('ready');
    expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('ready');
    expect(c.loads).toBe(1);

    // Another process deletes it: the entry goes as soon as the feed hears the commit.
    await t.db.pool.query(`UPDATE artifact_files SET status = 'deleted' WHERE id = $1`, [file.id]);
    await until(() => cache.size === 0);
    expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('deleted');
    expect(c.loads).toBe(2);
  });

  it('does not keep a row that changed while it was being read', async () => {
    const cache = new RowCache<string>(feed, { ttlMs: 60_000, maxEntries: 100 });
    const { file } = await seedFile();
    const c = { loads: 0 };
    const stale = await cache.read(file.id, Date.now(), async () => {
      const loaded = await loader(file.id, c)();
      // The row changes after it was read and the notification arrives before the read returns:
      // without the epoch check this stale 'ready' would be cached with nothing left to evict it.
      const before = feed.epoch;
      await t.db.pool.query(`UPDATE artifact_files SET status = 'deleted' WHERE id = $1`, [file.id]);
      await until(() => feed.epoch > before);
      return loaded;
    });
    expect(stale).toBe('ready');
    expect(cache.size).toBe(0);
    expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('deleted');
  });

  it('honours the TTL and a value’s own expiry', async () => {
    const cache = new RowCache<string>(feed, { ttlMs: 1_000, maxEntries: 100 });
    const { file } = await seedFile();
    const c = { loads: 0 };
    const now = Date.now();
    await cache.read(file.id, now, loader(file.id, c));
    await cache.read(file.id, now + 999, loader(file.id, c));
    expect(c.loads).toBe(1);
    await cache.read(file.id, now + 1_000, loader(file.id, c));
    expect(c.loads).toBe(2);

    const expiring = async () => ({ value: 'x', rows: ['users:none'], validUntil: now + 10 });
    await cache.read('short', now, expiring);
    expect(await cache.read('short', now + 10, async () => ({ value: 'reloaded', rows: [] }))).toBe('reloaded');
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new RowCache<number>(feed, { ttlMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 5; i++) await cache.read(`k${i}`, Date.now(), async () => ({ value: i, rows: [`r:${i}`] }));
    expect(cache.size).toBe(3);
    let loaded = false;
    await cache.read('k0', Date.now(), async () => {
      loaded = true;
      return { value: 0, rows: [] };
    });
    expect(loaded).toBe(true);
  });

  it('caches nothing while the feed is down, and recovers by itself', async () => {
    // A feed of its own that waits long enough before reconnecting for the outage to be observed.
    const url = (t.db.pool.options as { connectionString: string }).connectionString;
    const slow = startChangeFeed({
      connectionString: url,
      logger: createLogger({ name: 'feed-test', destination: logs }),
      applicationName: `${FEED_APP}_slow`,
      retryMs: 1_500,
    });
    try {
      const told: Array<Change | null> = [];
      slow.subscribe((change) => told.push(change));
      await until(() => slow.live);
      const cache = new RowCache<string>(slow, { ttlMs: 60_000, maxEntries: 100 });
      const { file } = await seedFile();
      const c = { loads: 0 };
      await cache.read(file.id, Date.now(), loader(file.id, c));
      expect(cache.size).toBe(1);

      told.length = 0;
      await t.db.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        `${FEED_APP}_slow`,
      ]);
      await until(() => !slow.live);
      // Changes may have been missed: everything cached is gone, and reads go to the database.
      expect(told).toEqual([null]);
      expect(cache.size).toBe(0);
      await t.db.pool.query(`UPDATE artifact_files SET status = 'missing' WHERE id = $1`, [file.id]);
      expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('missing');
      expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('missing');
      expect(c.loads).toBe(3);
      expect(slow.live).toBe(false);

      await until(() => slow.live);
      expect(logs.events('change_feed_lost').length).toBeGreaterThan(0);
      await cache.read(file.id, Date.now(), loader(file.id, c));
      expect(await cache.read(file.id, Date.now(), loader(file.id, c))).toBe('missing');
      expect(c.loads).toBe(4);
    } finally {
      await slow.close();
    }
  });
});
