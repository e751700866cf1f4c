import { z } from '@pulse/config';
import { countExportsByStatus } from '@pulse/exports';
import { cachedFor, GAUGE_CACHE_MS, Gauge } from '@pulse/runtime';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { createExport } from '../exports/create-export';
import { streamExportEvents } from '../exports/export-events';
import { deleteExport, exportFile, exportItem, findOwnedExport, listExports } from '../exports/export-queries';
import { visibleDevices } from '../exports/visible-devices';
import { decodeCursor } from '../files/cursor';
import { redirectToFile } from '../files/download';
import { deviceList, exportCreated, exportItem as exportItemSchema, exportPage } from '../http/response-schemas';
import { route } from '../http/route';
import { requireUser } from '../http/session';

/** `2026-10-01` (midnight UTC) or a full ISO 8601 timestamp with an offset. */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()), 'not a valid date');

const name = z.string().trim().min(1).max(200);

const createBody = z.strictObject({
  format: z.enum(['csv', 'ndjson', 'xlsx']),
  from: instant,
  to: instant,
  deviceIds: z.array(name).min(1).max(500).optional(),
  metrics: z.array(name).min(1).max(100).optional(),
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

const exportParams = z.object({ id: z.uuid() });

export function exportsRoutes(deps: AppDeps): Router {
  const router = Router();

  // A GROUP BY over every export job: at most once per GAUGE_CACHE_MS, however often it is scraped.
  const exportCounts = cachedFor(GAUGE_CACHE_MS, () => countExportsByStatus(deps.db));
  new Gauge({
    name: 'pulse_export_jobs',
    help: 'Export jobs by status',
    labelNames: ['status'],
    registers: [deps.metrics],
    async collect() {
      await exportCounts().then(
        (counts) => {
          this.reset();
          for (const c of counts) this.set({ status: c.status }, c.count);
        },
        (err: unknown) =>
          deps.logger.warn({ event: 'metrics_collect_error', what: 'export_jobs', err }, 'could not count export jobs'),
      );
    },
  });

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/devices',
      operationId: 'listDevices',
      tag: 'Exports',
      summary: 'Devices I may export (followed; all for administrators)',
      responses: { 200: { description: 'the devices', schema: deviceList } },
    },
    async (req, _res, { reply }) => {
      const user = requireUser(req);
      reply(200, { items: await visibleDevices(deps.db, user) });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/exports',
      operationId: 'createExport',
      tag: 'Exports',
      summary: 'Request a telemetry export (default: every device I follow)',
      body: createBody,
      responses: {
        202: { description: 'queued (Location: the export)', schema: exportCreated },
        403: 'a device I may not see',
        429: 'too many exports in progress',
      },
    },
    async (req, res, { body, reply }) => {
      const user = requireUser(req);
      const created = await createExport(deps, user, body);
      res.location(`/api/v1/exports/${created.id}`);
      reply(202, created);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/exports',
      operationId: 'listExports',
      tag: 'Exports',
      summary: 'My exports, newest first (keyset pagination via nextCursor)',
      query: listQuery,
      responses: { 200: { description: 'one page of my exports', schema: exportPage } },
    },
    async (req, _res, { query, reply }) => {
      const user = requireUser(req);
      const page = await listExports(deps.db, {
        userId: user.id,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      const now = deps.now();
      reply(200, { items: page.jobs.map((j) => exportItem(j, now)), nextCursor: page.nextCursor });
    },
  );

  // Before `/exports/:id`, which would otherwise take "events" for an id.
  route(
    router,
    {
      method: 'get',
      path: '/api/v1/exports/events',
      operationId: 'streamExportEvents',
      tag: 'Exports',
      summary: 'Server-sent events: progress of my exports',
      responses: { 200: { description: 'progress events', media: 'text/event-stream' } },
    },
    async (req, res) => {
      await streamExportEvents(deps, req, res, requireUser(req));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/exports/:id',
      operationId: 'getExport',
      tag: 'Exports',
      summary: 'One of my exports: status, rows done, size, error',
      params: exportParams,
      responses: { 200: { description: 'the export', schema: exportItemSchema }, 404: 'no such export' },
    },
    async (req, _res, { params, reply }) => {
      const user = requireUser(req);
      reply(200, exportItem(await findOwnedExport(deps.db, { exportId: params.id, userId: user.id }), deps.now()));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/exports/:id/download',
      operationId: 'downloadExport',
      tag: 'Exports',
      summary: 'Redirect (302) to a short-lived presigned GET for the export file',
      params: exportParams,
      responses: {
        302: 'redirect to the bytes',
        404: 'no such export',
        409: 'not ready or failed',
        410: 'expired, or missing from storage',
      },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      const job = await findOwnedExport(deps.db, { exportId: params.id, userId: user.id });
      await redirectToFile(deps, res, exportFile(job, deps.now()));
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/api/v1/exports/:id',
      operationId: 'deleteExport',
      tag: 'Exports',
      summary: 'Delete my export: the job, its file and the stored object',
      params: exportParams,
      responses: { 204: 'deleted', 404: 'no such export' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      await deleteExport(deps, await findOwnedExport(deps.db, { exportId: params.id, userId: user.id }));
      res.status(204).end();
    },
  );

  return router;
}
