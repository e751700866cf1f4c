import { cancelTask, listEnabledReceivers } from '@pulse/acquisitions';
import { z } from '@pulse/config';
import { Router } from 'express';
import { createAcquisition } from '../acquisition/create-task';
import { ACQUISITION_LIMITS, acquireBody } from '../acquisition/request';
import { findOwnedTask, listTasks, taskMeasurements, taskStatus, taskSummary } from '../acquisition/task-queries';
import type { AppDeps } from '../deps';
import { decodeCursor } from '../files/cursor';
import { errors } from '../http/errors';
import { route } from '../http/route';
import { requireUser } from '../http/session';

const taskParams = z.object({ taskId: z.uuid() });

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export function acquisitionRoutes(deps: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/receivers',
      summary: 'The enabled receivers with their status (online, failing, unknown), and the request limits',
      responses: { 200: '{items, limits}' },
    },
    async (req, res) => {
      requireUser(req);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ items: await listEnabledReceivers(deps.db), limits: ACQUISITION_LIMITS });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/acquisition/acquire',
      summary: 'Start an IQ acquisition from several receivers (default: every enabled receiver)',
      body: acquireBody,
      responses: { 202: '{taskId}', 429: 'too many acquisitions in progress' },
    },
    async (req, res, { body }) => {
      const user = requireUser(req);
      const created = await createAcquisition(deps, user, body);
      res.status(202).location(`/api/v1/acquisition/status/${created.taskId}`).json(created);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/status/:taskId',
      summary: 'State and progress of my acquisition, with the result once finished',
      params: taskParams,
      responses: { 200: '{taskId, state, progress, result?}', 404: 'no such acquisition' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      res.setHeader('Cache-Control', 'no-store');
      res.json(taskStatus(await findOwnedTask(deps.db, { taskId: params.taskId, userId: user.id })));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/acquisition/:taskId/cancel',
      summary: 'Cancel my queued or running acquisition: its receivers are disconnected and nothing more is stored',
      params: taskParams,
      responses: { 202: '{taskId, state: CANCELLED}', 404: 'no such acquisition', 409: 'already finished' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      const outcome = await cancelTask(deps.db, { taskId: params.taskId, userId: user.id });
      if (!outcome.cancelled) {
        if (outcome.state === null) throw errors.notFound('acquisition');
        throw errors.conflict('already_finished', `the acquisition already ended (${outcome.state})`);
      }
      // The state of record is already CANCELLED; this only tells the worker running it to hang up now.
      deps.bus.emit('acquisition.cancelled', { taskId: params.taskId });
      deps.logger.info({ event: 'acquisition_cancelled', taskId: params.taskId }, 'acquisition cancelled');
      res.status(202).json({ taskId: params.taskId, state: 'CANCELLED' });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/sessions',
      summary: 'My acquisitions, newest first (keyset pagination via nextCursor)',
      query: listQuery,
      responses: { 200: '{items, nextCursor}' },
    },
    async (req, res, { query }) => {
      const user = requireUser(req);
      const page = await listTasks(deps.db, {
        userId: user.id,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      res.json({ items: page.tasks.map(taskSummary), nextCursor: page.nextCursor });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/sessions/:taskId',
      summary: 'One of my acquisitions with its stored measurements and download links',
      params: taskParams,
      responses: { 200: 'the session and its measurements', 404: 'no such acquisition' },
    },
    async (req, res, { params }) => {
      const user = requireUser(req);
      const task = await findOwnedTask(deps.db, { taskId: params.taskId, userId: user.id });
      res.json({ ...taskSummary(task), measurements: await taskMeasurements(deps.db, task) });
    },
  );

  return router;
}
