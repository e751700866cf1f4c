import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDb, isDatabaseUnavailable, isUniqueViolation, Prisma } from '../src';
import { type OpenTestDb, openTestDb } from '../src/testing';

describe('createDb', () => {
  let t: OpenTestDb;
  beforeAll(async () => {
    t = await openTestDb('pulse_db_t', 2);
  });
  afterAll(() => t.dispose());

  it('runs Prisma over the shared pool', async () => {
    expect(t.db.pool.totalCount).toBe(0);
    await t.db.prisma.device.create({ data: { id: 'dev-1', name: 'Device 1' } });
    // The pool was never used directly, so a connection in it can only be Prisma's.
    expect(t.db.pool.totalCount).toBeGreaterThan(0);
  });

  it('round-trips telemetry with a BigInt id beyond 2^53', async () => {
    const big = 2n ** 60n + 7n;
    const ts = new Date('2026-10-01T12:34:56.789Z');
    await t.db.prisma.telemetry.create({
      data: { id: big, deviceId: 'dev-1', ts, metric: 'temperature', value: 21.5 },
    });
    const row = await t.db.prisma.telemetry.findUniqueOrThrow({ where: { id: big } });
    expect(row).toEqual({ id: big, deviceId: 'dev-1', ts, metric: 'temperature', value: 21.5 });
    const raw = await t.db.pool.query<{ id: string }>('SELECT id::text FROM telemetry WHERE metric = $1', [
      'temperature',
    ]);
    expect(raw.rows[0]?.id).toBe(big.toString());
  });

  it('rejects a second artifact file on the same bucket + object key with P2002', async () => {
    const owner = await t.db.prisma.user.create({ data: { email: 'owner@example.test', name: 'Owner' } });
    const artifact = await t.db.prisma.artifact.create({ data: { ownerId: owner.id, kind: 'export', title: 'x' } });
    const file = {
      artifactId: artifact.id,
      ownerId: owner.id,
      bucket: 'pulse-exports',
      objectKey: 'exports/abc.csv',
      contentType: 'text/csv',
      originalFilename: 'abc.csv',
    };
    await t.db.prisma.artifactFile.create({ data: file });
    const second = t.db.prisma.artifactFile.create({ data: file });
    await expect(second).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(second).rejects.toMatchObject({ code: 'P2002' });
    expect(isUniqueViolation(await second.catch((e: unknown) => e))).toBe(true);
  });

  it('recognises a unique violation from raw SQL too', async () => {
    const err = await t.db.pool
      .query(`INSERT INTO devices (id, name) VALUES ('dev-1', 'again')`)
      .catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(new Error('other'))).toBe(false);
  });

  it('survives an idle connection being killed', async () => {
    await t.db.pool.query('SELECT 1');
    const admin = await t.db.pool.connect();
    try {
      // Kill every other backend of this database: the idle pooled client gets an 'error' event.
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
    } finally {
      admin.release();
    }
    await new Promise((r) => setTimeout(r, 200));
    await expect(t.db.prisma.device.count()).resolves.toBeGreaterThan(0);
  });
});

describe('isDatabaseUnavailable', () => {
  let t: OpenTestDb;
  beforeAll(async () => {
    t = await openTestDb('pulse_db_t', 3);
  });
  afterAll(() => t.dispose());

  it('recognises a backend terminated by the real server, and nothing else', async () => {
    const client = await t.db.pool.connect();
    client.on('error', () => undefined);
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await t.db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // Gone for sure before the next query; depending on when the client heard of it, that query fails
      // with the server's 57P01, "Connection terminated" or pg's "not queryable" — all mean unavailable.
      for (let i = 0; i < 100; i++) {
        const alive = await t.db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid]);
        if (alive.rowCount === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const err = await client.query('SELECT 1').catch((e: unknown) => e);
      expect(isDatabaseUnavailable(err)).toBe(true);
    } finally {
      client.release(true);
    }
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('unreachable'), { code: 'P1001' }))).toBe(true);
  });

  it('recognises a raw query that cannot reach the server (P2010 from the driver adapter), not a bad one', async () => {
    // Nothing listens on port 1: a real refused connection, as when Postgres is down.
    const down = createDb({ url: 'postgresql://postgres@127.0.0.1:1/postgres', poolMax: 1 });
    try {
      expect(isDatabaseUnavailable(await down.prisma.$queryRaw`SELECT 1`.catch((e: unknown) => e))).toBe(true);
      expect(isDatabaseUnavailable(await down.prisma.$executeRaw`SELECT 1`.catch((e: unknown) => e))).toBe(true);
    } finally {
      await down.close();
    }
    expect(
      isDatabaseUnavailable(await t.db.prisma.$queryRaw`SELECT * FROM no_such_table`.catch((e: unknown) => e)),
    ).toBe(false);
  });
});
