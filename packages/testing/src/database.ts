import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PG_ADMIN_URL, uniqueName } from './services';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/prisma/migrations', import.meta.url));

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Template name derived from the migrations' content, so a schema change builds a new template. */
export function templateName(): string {
  const h = createHash('sha256');
  for (const dir of readdirSync(MIGRATIONS_DIR)
    .filter((d) => /^\d/.test(d))
    .sort()) {
    h.update(dir).update(readFileSync(path.join(MIGRATIONS_DIR, dir, 'migration.sql')));
  }
  return `pulse_tpl_${h.digest('hex').slice(0, 12)}`;
}

/** Builds the migrated template database once (advisory lock: parallel jest runs wait, not race). */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}_building"`).catch(async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}_building" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${name}_building"`);
      });
      const db = new pg.Client({ connectionString: withDb(PG_ADMIN_URL, `${name}_building`) });
      await db.connect();
      try {
        for (const dir of readdirSync(MIGRATIONS_DIR)
          .filter((d) => /^\d/.test(d))
          .sort()) {
          await db.query(readFileSync(path.join(MIGRATIONS_DIR, dir, 'migration.sql'), 'utf8'));
        }
      } finally {
        await db.end();
      }
      await admin.query(`ALTER DATABASE "${name}_building" RENAME TO "${name}"`);
    }
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
  } finally {
    await admin.end();
  }
  return name;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file: a copy of the template, dropped afterwards. */
export async function createTestDatabase(prefix = 'pulse_t'): Promise<TestDatabase> {
  const template = await ensureTemplate();
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDb(PG_ADMIN_URL, name),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
