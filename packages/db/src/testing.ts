import { createTestDatabase } from '@pulse/testing';
import { createDb, type Db } from './client';

export interface OpenTestDb {
  db: Db;
  /** Closes the pool and drops the database. */
  dispose(): Promise<void>;
}

/**
 * A fresh migrated database for one test file, opened through createDb as the apps open theirs. For the
 * domain packages' tests: a subpath of its own (`@pulse/db/testing`), so no app imports test support.
 */
export async function openTestDb(prefix: string, poolMax = 4): Promise<OpenTestDb> {
  const testDb = await createTestDatabase(prefix);
  const db = createDb({ url: testDb.url, poolMax }, { applicationName: testDb.name });
  return {
    db,
    async dispose() {
      await db.close();
      await testDb.drop();
    },
  };
}
