import type { Db } from './client';
import type { UserRole } from './generated/prisma/client';

export interface SeedOptions {
  /** Telemetry rows to generate on the first run (later runs leave telemetry alone). */
  telemetryRows: number;
  /** End of the telemetry window (default: now); rows spread over the 60 days before it. */
  now?: Date;
}

export interface SeedSummary {
  users: number;
  devices: number;
  follows: number;
  /** Rows inserted by this run: 0 when telemetry was already seeded. */
  telemetryInserted: number;
}

interface DemoUser {
  email: string;
  name: string;
  role: UserRole;
  follows: string[];
}

const DEVICES = [
  { id: 'dev-boiler-01', name: 'Boiler room sensor', site: 'Lyon HQ' },
  { id: 'dev-server-rack-a', name: 'Server rack A', site: 'Lyon HQ' },
  { id: 'dev-cold-store-1', name: 'Cold store 1', site: 'Rotterdam DC' },
  { id: 'dev-cold-store-2', name: 'Cold store 2', site: 'Rotterdam DC' },
  { id: 'dev-greenhouse-n', name: 'Greenhouse north', site: 'Almería farm' },
  { id: 'dev-battery-bank', name: 'Battery bank', site: 'Almería farm' },
] as const;
const ALL_DEVICES = DEVICES.map((d) => d.id);

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'demo@pulse.local', name: 'Demo Operator', role: 'admin', follows: ALL_DEVICES },
  { email: 'alice@pulse.local', name: 'Alice Martin', role: 'user', follows: ALL_DEVICES.slice(0, 3) },
  { email: 'bob@pulse.local', name: 'Bob Okafor', role: 'user', follows: ALL_DEVICES.slice(2, 4) },
  // A non-ASCII name exercises report filenames, email headers and Content-Disposition end to end.
  { email: 'zoe@pulse.local', name: 'Zoë Ångström', role: 'user', follows: ALL_DEVICES.slice(4) },
];

const WINDOW_DAYS = 60;

// One statement: Postgres generates the rows itself, so a million take seconds (no client round trips).
// Row i goes to device i % 6 and metric (i / 6) % 3, so every device/metric pair covers the whole window;
// values follow a daily sine with noise around a plausible level per metric.
const INSERT_TELEMETRY = `
INSERT INTO telemetry (device_id, ts, metric, value)
SELECT d.ids[1 + i % d.n],
       ts,
       m.names[1 + (i / d.n) % 3],
       round((m.base[1 + (i / d.n) % 3]
         + m.amp[1 + (i / d.n) % 3] * sin(extract(epoch FROM ts) / 86400 * 2 * pi())
         + m.amp[1 + (i / d.n) % 3] * 0.2 * (random() - 0.5))::numeric, 3)::float8
FROM (SELECT $1::text[] AS ids, cardinality($1::text[]) AS n) d,
     (SELECT ARRAY['temperature', 'humidity', 'voltage'] AS names,
             ARRAY[21.0, 45.0, 230.0] AS base,
             ARRAY[4.0, 10.0, 3.0] AS amp) m,
     generate_series(0, $2::bigint - 1) AS i,
     LATERAL (SELECT $3::timestamptz - make_interval(days => ${WINDOW_DAYS}) * (i::float8 / $2::bigint) AS ts) t`;

/** Demo users, devices, follows and telemetry. Idempotent: safe to run on every start of a dev stack. */
export async function seedDemo(db: Db, options: SeedOptions): Promise<SeedSummary> {
  const now = options.now ?? new Date();
  for (const device of DEVICES) {
    await db.prisma.device.upsert({ where: { id: device.id }, create: device, update: {} });
  }
  let follows = 0;
  for (const user of DEMO_USERS) {
    const { id } = await db.prisma.user.upsert({
      where: { email: user.email },
      create: { email: user.email, name: user.name, role: user.role },
      update: {},
    });
    await db.prisma.deviceFollow.createMany({
      data: user.follows.map((deviceId) => ({ userId: id, deviceId })),
      skipDuplicates: true,
    });
    follows += user.follows.length;
  }
  return {
    users: DEMO_USERS.length,
    devices: DEVICES.length,
    follows,
    telemetryInserted: await seedTelemetry(db, options.telemetryRows, now),
  };
}

async function seedTelemetry(db: Db, rows: number, now: Date): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    // Two seeds started together (compose + a developer) must not both insert.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('pulse:seed-telemetry'))");
    const seeded = await client.query('SELECT 1 FROM telemetry WHERE device_id = ANY($1) LIMIT 1', [ALL_DEVICES]);
    const inserted =
      seeded.rowCount === 0 && rows > 0
        ? ((await client.query(INSERT_TELEMETRY, [ALL_DEVICES, rows, now])).rowCount ?? 0)
        : 0;
    await client.query('COMMIT');
    return inserted;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
