// End to end with the real ui-api (its own test harness: real Postgres, NATS, RGW): after cleanup
// expires an export, the owner's download link answers 410 instead of redirecting to the bytes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@pulse/logger';
import { LogCapture } from '@pulse/testing';
import { startTestApp, type TestApp } from '../../ui-api/test/harness';
import { cleanupSettings } from '../src/config';
import { runCleanup } from '../src/run-cleanup';
import { DAY } from './support';

describe('expired export download', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ outboxRelay: false });
  });
  afterAll(() => app.close());

  it('redirects before cleanup and answers 410 once the export is past retention', async () => {
    const alice = await app.login('alice-cleanup@example.com');
    const file = await app.seed.file({
      ownerId: alice.user.id,
      kind: 'export',
      bucket: app.config.s3.buckets.exports,
      filename: 'telemetry.csv',
    });
    await app.db.prisma.artifactFile.update({
      where: { id: file.id },
      data: { createdAt: new Date(Date.now() - 8 * DAY) },
    });
    const job = await app.db.prisma.exportJob.create({
      data: {
        userId: alice.user.id,
        format: 'csv',
        deviceIds: ['dev-1'],
        metrics: ['temp'],
        fromTs: new Date('2026-01-01T00:00:00Z'),
        toTs: new Date('2026-01-02T00:00:00Z'),
        status: 'succeeded',
        fileId: file.id,
      },
    });
    const download = () => app.request(`/api/v1/exports/${job.id}/download`, { token: alice.token });
    expect((await download()).status).toBe(302);

    const logs = new LogCapture();
    const result = await runCleanup(
      {
        db: app.db,
        storage: app.storage,
        logger: createLogger({ name: 'cleanup-e2e', destination: logs }),
        config: { s3: app.config.s3, app: cleanupSettings.parse({ EXPORT_RETENTION_DAYS: '7' }) },
        now: () => new Date(),
        dryRun: false,
      },
      { reason: 'e2e' },
    );

    expect(result.skipped).toBe(false);
    const gone = await download();
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 'expired' } });
    expect(await app.storage.exists(file.bucket, file.objectKey)).toBe(false);
    expect(logs.text).not.toContain(file.objectKey);
  });
});
