import type { Db } from '@pulse/db';
import { findOwnedFiles } from '@pulse/files';
import { safeFilename } from '../files/filename';

export interface ReportItem {
  id: string;
  period: string;
  status: 'pending' | 'working' | 'sent' | 'failed' | 'skipped' | 'bounced';
  emailSent: boolean;
  sentAt: string | null;
  storageUploaded: boolean;
  /** Until when the emailed links work; null when the files went as attachments or nothing was sent. */
  linksValidUntil: string | null;
  /** Why the last attempt failed, why it was skipped (paused, unsubscribed), or the relay's refusal (bounced). */
  reason: string | null;
  resendCount: number;
  follower?: { id: string; email: string };
  files: { id: string; kind: 'pdf' | 'xlsx'; filename: string; size: number; downloadUrl: string }[];
}

/** My report deliveries, newest period first, with API download links for the files that still exist. */
export async function listMyReports(db: Db, userId: string): Promise<ReportItem[]> {
  const rows = await db.prisma.reportDelivery.findMany({
    where: { followerId: userId },
    orderBy: { reportPeriod: 'desc' },
    take: 60,
  });
  return withFiles(db, rows, userId);
}

/** Administrators: the most recent deliveries of everyone (newest first), with the follower. */
export async function listRecentDeliveries(db: Db): Promise<ReportItem[]> {
  const rows = await db.prisma.reportDelivery.findMany({
    orderBy: { updatedAt: 'desc' },
    take: 100,
    include: { follower: { select: { id: true, email: true } } },
  });
  return withFiles(db, rows, null);
}

type DeliveryRow = Awaited<ReturnType<Db['prisma']['reportDelivery']['findMany']>>[number] & {
  follower?: { id: string; email: string };
};

async function withFiles(db: Db, rows: DeliveryRow[], userId: string | null): Promise<ReportItem[]> {
  const fileIds = rows.flatMap((r) => [r.pdfFileId, r.xlsxFileId]).filter((id): id is string => id !== null);
  const files = await findOwnedFiles(db, { fileIds, ownerId: userId, readyOnly: true });
  const byId = new Map(files.map((f) => [f.id, f]));
  const item = (id: string | null, kind: 'pdf' | 'xlsx') => {
    const f = id ? byId.get(id) : undefined;
    return f
      ? [
          {
            id: f.id,
            kind,
            filename: safeFilename(f.originalFilename),
            size: Number(f.sizeBytes),
            downloadUrl: `/api/v1/files/${f.id}/download`,
          },
        ]
      : [];
  };
  return rows.map((r) => ({
    id: r.id,
    period: r.reportPeriod,
    status: r.status,
    emailSent: r.emailSent,
    sentAt: r.sentAt?.toISOString() ?? null,
    storageUploaded: r.storageUploaded,
    linksValidUntil: r.linksValidUntil?.toISOString() ?? null,
    reason: r.lastError,
    resendCount: r.resendCount,
    ...(r.follower ? { follower: r.follower } : {}),
    files: [...item(r.pdfFileId, 'pdf'), ...item(r.xlsxFileId, 'xlsx')],
  }));
}
