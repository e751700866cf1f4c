import { createExportJob } from '@pulse/exports';
import type { AppDeps } from '../deps';
import type { AuthUser } from '../http/context';
import { errors } from '../http/errors';
import { visibleDevices } from './visible-devices';

export type ExportFormat = 'csv' | 'ndjson' | 'xlsx';

export interface ExportRequest {
  format: ExportFormat;
  from: Date;
  to: Date;
  deviceIds?: string[];
  metrics?: string[];
}

const DAY_MS = 86_400_000;

/**
 * Checks the request against what this user may do, then has @pulse/exports write the job with its
 * outbox event (one transaction, capped per user).
 */
export async function createExport(
  deps: Pick<AppDeps, 'db' | 'config' | 'logger' | 'kickOutbox'>,
  user: Pick<AuthUser, 'id' | 'role'>,
  request: ExportRequest,
): Promise<{ id: string; status: 'queued' }> {
  const { maxRangeDays, maxRunningPerUser } = deps.config.app.exports;
  if (request.from >= request.to) throw errors.badRequest('invalid_range', '"from" must be before "to"');
  if (request.to.getTime() - request.from.getTime() > maxRangeDays * DAY_MS) {
    throw errors.badRequest('range_too_long', `the range may span at most ${maxRangeDays} days`);
  }

  const visible = new Set((await visibleDevices(deps.db, user)).map((d) => d.id));
  const deviceIds = request.deviceIds ? [...new Set(request.deviceIds)] : [...visible].sort();
  // Unknown and not-followed look the same, so the answer reveals nothing about other devices.
  const forbidden = deviceIds.find((id) => !visible.has(id));
  if (forbidden !== undefined) throw errors.forbidden('forbidden_device', `you may not export device "${forbidden}"`);
  if (deviceIds.length === 0)
    throw errors.badRequest('no_devices', 'follow a device first: there is nothing to export');

  const created = await createExportJob(
    deps.db,
    {
      userId: user.id,
      format: request.format,
      deviceIds,
      metrics: request.metrics ? [...new Set(request.metrics)] : [],
      from: request.from,
      to: request.to,
    },
    { maxRunning: maxRunningPerUser },
  );
  if (!created.created) {
    throw errors.tooManyRequests(`you already have ${created.running} exports in progress; wait for one to finish`);
  }
  const { id } = created;
  deps.kickOutbox();
  deps.logger.info(
    { event: 'export_requested', exportId: id, format: request.format, devices: deviceIds.length },
    'export queued',
  );
  return { id, status: 'queued' };
}
