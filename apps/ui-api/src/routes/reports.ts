import { z } from '@pulse/config';
import { isPeriod, requestManualReports, requestResend } from '@pulse/reports';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { errors } from '../http/errors';
import { reportList, reportRunRequested, resendRequested } from '../http/response-schemas';
import { route } from '../http/route';
import { requireAdmin, requireUser } from '../http/session';
import { followReportLink } from '../reports/report-links';
import { listMyReports, listRecentDeliveries } from '../reports/report-queries';

const runBody = z.strictObject({
  period: z.string().max(8).refine(isPeriod, 'must be a month YYYY-MM or an ISO week YYYY-Www'),
  followerId: z.uuid().optional(),
  resend: z.boolean().default(false),
});

export function reportsRoutes(deps: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/reports',
      operationId: 'listMyReports',
      tag: 'Reports',
      summary: 'My monthly reports (delivery status and download links), newest first',
      responses: { 200: { description: 'my deliveries', schema: reportList } },
    },
    async (req, _res, { reply }) => {
      const user = requireUser(req);
      reply(200, { items: await listMyReports(deps.db, user.id) });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/reports/run',
      operationId: 'runReports',
      tag: 'Reports',
      summary:
        'Admin: produce and send the reports of a period now: a month (followers with a monthly subscription) or an ISO week (weekly ones), or one follower',
      body: runBody,
      responses: {
        202: { description: 'requested', schema: reportRunRequested },
        403: 'not an administrator',
        404: 'no such follower',
      },
    },
    async (req, _res, { body, reply }) => {
      const admin = requireAdmin(req);
      const { requested, requestId: runId } = await requestManualReports(deps.db, body);
      if (body.followerId && requested === 0) throw errors.notFound('follower');
      deps.kickOutbox();
      deps.logger.info(
        {
          event: 'report_run_requested',
          period: body.period,
          requested,
          resend: body.resend,
          runId,
          adminId: admin.id,
        },
        'report run requested',
      );
      reply(202, { period: body.period, requested, resend: body.resend, runId });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/reports/deliveries',
      operationId: 'listDeliveries',
      tag: 'Reports',
      summary: 'Admin: the 100 most recently changed report deliveries of every follower',
      responses: { 200: { description: 'recent deliveries', schema: reportList }, 403: 'not an administrator' },
    },
    async (req, _res, { reply }) => {
      requireAdmin(req);
      reply(200, { items: await listRecentDeliveries(deps.db) });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/reports/deliveries/:id/resend',
      operationId: 'resendDelivery',
      tag: 'Reports',
      summary: 'Admin: send one delivery again (a new email with fresh links, counted as a resend)',
      params: z.object({ id: z.uuid() }),
      responses: {
        202: { description: 'resend requested', schema: resendRequested },
        403: 'not an administrator',
        404: 'no such delivery',
        409: 'being produced',
      },
    },
    async (req, _res, { params, reply }) => {
      const admin = requireAdmin(req);
      const result = await requestResend(deps.db, params.id, admin.id);
      if (result.outcome === 'not_found') throw errors.notFound('delivery');
      if (result.outcome === 'in_progress')
        throw errors.conflict('delivery_in_progress', 'this delivery is being produced right now; try again shortly');
      deps.kickOutbox();
      deps.logger.info(
        { event: 'report_resend_requested', deliveryId: params.id, adminId: admin.id, resendCount: result.resendCount },
        'report resend requested',
      );
      reply(202, { id: params.id, period: result.period, resendCount: result.resendCount });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/r/:token',
      operationId: 'followReportLink',
      tag: 'Reports',
      summary:
        'Report email link: redirect (302) to a fresh presigned GET; HTML page when expired (410) or invalid (404)',
      params: z.object({ token: z.string().min(1) }),
      responses: {
        302: 'redirect to the file',
        404: { description: 'invalid link (HTML page)', media: 'text/html' },
        410: { description: 'expired link or deleted file (HTML page)', media: 'text/html' },
      },
      auth: false,
    },
    async (_req, res, { params }) => {
      await followReportLink(deps, res, params.token);
    },
  );

  return router;
}
