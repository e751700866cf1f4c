import type { Db } from '@pulse/db';

export interface ReportItem {
  period: string;
  status: 'pending' | 'working' | 'sent' | 'failed' | 'skipped';
  emailSent: boolean;
  sentAt: string | null;
  storageUploaded: boolean;
  files: { id: string; kind: 'pdf' | 'xlsx'; filename: string; size: number; downloadUrl: string }[];
}

/** My report deliveries, newest period first, with API download links for the files that still exist. */
export async function listMyReports(db: Db, userId: string): Promise<ReportItem[]> {
  const rows = await db.prisma.reportDelivery.findMany({
    where: { followerId: userId },
    orderBy: { reportPeriod: 'desc' },
    take: 60,
  });
  const fileIds = rows.flatMap((r) => [r.pdfFileId, r.xlsxFileId]).filter((id): id is string => id !== null);
  const files = await db.prisma.artifactFile.findMany({
    where: { id: { in: fileIds }, ownerId: userId, status: 'ready' },
    select: { id: true, originalFilename: true, sizeBytes: true },
  });
  const byId = new Map(files.map((f) => [f.id, f]));
  const item = (id: string | null, kind: 'pdf' | 'xlsx') => {
    const f = id ? byId.get(id) : undefined;
    return f
      ? [
          {
            id: f.id,
            kind,
            filename: f.originalFilename,
            size: Number(f.sizeBytes),
            downloadUrl: `/api/v1/files/${f.id}/download`,
          },
        ]
      : [];
  };
  return rows.map((r) => ({
    period: r.reportPeriod,
    status: r.status,
    emailSent: r.emailSent,
    sentAt: r.sentAt?.toISOString() ?? null,
    storageUploaded: r.storageUploaded,
    files: [...item(r.pdfFileId, 'pdf'), ...item(r.xlsxFileId, 'xlsx')],
  }));
}
