import { createTestDatabase } from '@pulse/testing';
import { createDb, type Db } from '../src';

export interface OpenTestDb {
  db: Db;
  /** Closes the pool and drops the database. */
  dispose(): Promise<void>;
}

/** A fresh migrated database for one test file, opened through the package's own createDb. */
export async function openTestDb(poolMax = 4): Promise<OpenTestDb> {
  const testDb = await createTestDatabase('pulse_db_t');
  const db = createDb({ url: testDb.url, poolMax }, { applicationName: testDb.name });
  return {
    db,
    async dispose() {
      await db.close();
      await testDb.drop();
    },
  };
}
