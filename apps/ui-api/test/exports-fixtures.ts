import type { Db } from '@pulse/db';

export const RANGE = { from: '2026-10-01', to: '2026-11-01' };
export const FOLLOWED = ['exp-dev-1', 'exp-dev-2'];
export const NOT_FOLLOWED = 'exp-dev-3';

/** Three devices with telemetry in October 2026 (values with quotes, commas, backslashes); the user follows two. */
export async function seedTelemetry(db: Db, userId: string, rows = 1500): Promise<void> {
  for (const id of [...FOLLOWED, NOT_FOLLOWED]) {
    await db.prisma.device.upsert({ where: { id }, create: { id, name: `Device ${id}` }, update: {} });
  }
  await db.prisma.deviceFollow.createMany({
    data: FOLLOWED.map((deviceId) => ({ userId, deviceId })),
    skipDuplicates: true,
  });
  await db.pool.query(
    `INSERT INTO telemetry (device_id, ts, metric, value)
     SELECT (ARRAY['exp-dev-1', 'exp-dev-2', 'exp-dev-3'])[1 + i % 3],
            timestamptz '2026-10-01T00:00:00Z' + make_interval(secs => i * 600),
            (ARRAY['temperature', 'say "hi", \\o/'])[1 + (i / 3) % 2],
            round((cos(i) * 50)::numeric, 3)::float8
       FROM generate_series(0, $1::int - 1) AS i`,
    [rows],
  );
}

export interface TelemetryRow {
  ts: Date;
  device_id: string;
  metric: string;
  value: number;
}

export async function telemetryRows(db: Db, deviceIds: string[], range = RANGE): Promise<TelemetryRow[]> {
  const { rows } = await db.pool.query<TelemetryRow>(
    `SELECT ts, device_id, metric, value FROM telemetry
      WHERE device_id = ANY($1) AND ts >= $2 AND ts < $3 ORDER BY device_id, ts`,
    [deviceIds, new Date(range.from), new Date(range.to)],
  );
  return rows;
}
