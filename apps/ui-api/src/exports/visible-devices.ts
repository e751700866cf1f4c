import type { Db } from '@pulse/db';
import type { AuthUser } from '../http/context';

export interface VisibleDevice {
  id: string;
  name: string;
  site: string | null;
}

/** A user sees the devices they follow; an administrator sees every device. */
export async function visibleDevices(db: Db, user: Pick<AuthUser, 'id' | 'role'>): Promise<VisibleDevice[]> {
  return db.prisma.device.findMany({
    where: user.role === 'admin' ? {} : { follows: { some: { userId: user.id } } },
    select: { id: true, name: true, site: true },
    orderBy: { id: 'asc' },
  });
}
