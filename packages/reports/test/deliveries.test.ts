import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '@pulse/db';
import { type OpenTestDb, openTestDb } from '@pulse/db/testing';
import {
  claimDelivery,
  type DeliveryKey,
  FollowerNotFoundError,
  markFailed,
  markGivenUp,
  markSent,
  recordLateBounce,
  reportBounceTag,
  requestResend,
} from '../src/index';

// The deliveries module is the only writer of report_deliveries; these are its transitions on real Postgres.
let t: OpenTestDb;
let db: Db;
beforeAll(async () => {
  t = await openTestDb('pulse_reports_t', 8);
  db = t.db;
});
afterAll(async () => {
  await t.dispose();
});

async function follower(): Promise<DeliveryKey> {
  const tag = randomUUID().slice(0, 8);
  const user = await db.prisma.user.create({ data: { email: `${tag}@reports.test`, name: tag } });
  return { followerId: user.id, period: '2026-10' };
}
const row = (key: DeliveryKey) =>
  db.prisma.reportDelivery.findUniqueOrThrow({
    where: { followerId_reportPeriod: { followerId: key.followerId, reportPeriod: key.period } },
  });
const SENT = { pdfFileId: null, xlsxFileId: null, storageUploaded: false, linksValidUntil: null };

describe('report deliveries', () => {
  it('lets exactly one of many concurrent claimers send; the rest see busy, then sent', async () => {
    const key = await follower();
    const results = await Promise.all(Array.from({ length: 6 }, () => claimDelivery(db, key, 60)));
    const claimed = results.filter((r) => r.outcome === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(5);
    const { delivery } = claimed[0] as Extract<(typeof results)[number], { outcome: 'claimed' }>;
    await markSent(db, delivery.id, SENT);
    await expect(claimDelivery(db, key, 60)).resolves.toEqual({ outcome: 'sent' });
    expect(await row(key)).toMatchObject({ status: 'sent', attempts: 1, emailSent: true });
  });

  it('takes over an expired claim, and a released (failed) one at once', async () => {
    const key = await follower();
    const first = await claimDelivery(db, key, 0);
    expect(first.outcome).toBe('claimed');
    // claimed_until = now(): already past for the next statement, as if the first worker had died.
    const second = await claimDelivery(db, key, 60);
    expect(second).toMatchObject({ outcome: 'claimed', delivery: { attempts: 2 } });
    if (second.outcome !== 'claimed') throw new Error('unreachable');
    await markFailed(db, second.delivery.id, 'smtp down');
    expect(await row(key)).toMatchObject({ status: 'failed', lastError: 'smtp down' });
    await expect(claimDelivery(db, key, 60)).resolves.toMatchObject({ outcome: 'claimed', delivery: { attempts: 3 } });
  });

  it('gives up only on what is neither finished nor held by a live claim', async () => {
    const held = await follower();
    await claimDelivery(db, held, 60);
    await markGivenUp(db, held, 'max deliveries');
    expect((await row(held)).status).toBe('working');
    const sent = await follower();
    const claim = await claimDelivery(db, sent, 60);
    if (claim.outcome !== 'claimed') throw new Error('expected a claim');
    await markSent(db, claim.delivery.id, SENT);
    await markGivenUp(db, sent, 'max deliveries');
    expect((await row(sent)).status).toBe('sent');
    const stale = await follower();
    await claimDelivery(db, stale, 0);
    await markGivenUp(db, stale, 'max deliveries');
    expect(await row(stale)).toMatchObject({ status: 'failed', lastError: 'max deliveries' });
  });

  it('refuses a follower that does not exist', async () => {
    await expect(claimDelivery(db, { followerId: randomUUID(), period: '2026-10' }, 60)).rejects.toBeInstanceOf(
      FollowerNotFoundError,
    );
  });

  it('records a late bounce for the sending its tag names only, and not while a worker holds the row', async () => {
    const key = await follower();
    const claim = await claimDelivery(db, key, 60);
    if (claim.outcome !== 'claimed') throw new Error('expected a claim');
    const tag = reportBounceTag(claim.delivery);
    await expect(recordLateBounce(db, tag, 'bounced later: 5.1.1')).resolves.toEqual({
      outcome: 'busy',
      deliveryId: claim.delivery.id,
    });
    await markSent(db, claim.delivery.id, SENT);
    await expect(requestResend(db, claim.delivery.id, key.followerId)).resolves.toMatchObject({ resendCount: 1 });
    // Resent (pending again) since the bounced email: that bounce is superseded.
    await expect(recordLateBounce(db, tag, 'bounced later: 5.1.1')).resolves.toMatchObject({ outcome: 'superseded' });
    const again = await claimDelivery(db, key, 60);
    if (again.outcome !== 'claimed') throw new Error('expected a claim');
    await markSent(db, again.delivery.id, SENT);
    await expect(recordLateBounce(db, reportBounceTag(again.delivery), 'bounced later: 5.1.1')).resolves.toMatchObject({
      outcome: 'bounced',
    });
    expect(await row(key)).toMatchObject({ status: 'bounced', lastError: 'bounced later: 5.1.1', resendCount: 1 });
    // A bounced delivery is final: a redelivered request only acknowledges.
    await expect(claimDelivery(db, key, 60)).resolves.toEqual({ outcome: 'sent' });
  });
});
