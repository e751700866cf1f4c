import type { Prisma } from '@pulse/db';

/**
 * Retention removed these files: their export jobs become `expired` (whatever they said), in the
 * caller's transaction with `@pulse/files` `expireFiles`. Returns how many jobs changed.
 */
export async function expireExportsOfFiles(tx: Prisma.TransactionClient, fileIds: string[]): Promise<number> {
  if (fileIds.length === 0) return 0;
  const { count } = await tx.exportJob.updateMany({ where: { fileId: { in: fileIds } }, data: { status: 'expired' } });
  return count;
}
