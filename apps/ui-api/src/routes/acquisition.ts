import { cancelTask, listEnabledReceivers } from '@pulse/acquisitions';
import { z } from '@pulse/config';
import { Router } from 'express';
import { createAcquisition } from '../acquisition/create-task';
import { ACQUISITION_LIMITS, acquireBody } from '../acquisition/request';
import {
  findOwnedTask,
  listTasks,
  taskMeasurements,
  taskStatus as toTaskStatus,
  taskSummary,
} from '../acquisition/task-queries';
import type { AppDeps } from '../deps';
import { decodeCursor } from '../files/cursor';
import { errors } from '../http/errors';
import {
  acquisitionCancelled,
  acquisitionCreated,
  receiversWithLimits,
  taskPage,
  taskSession,
  taskStatus,
} from '../http/response-schemas';
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
      operationId: 'listAcquisitionReceivers',
      tag: 'Acquisition',
      summary: 'The enabled receivers with their status (online, failing, unknown), and the request limits',
      responses: { 200: { description: 'receivers and limits', schema: receiversWithLimits } },
    },
    async (req, res, { reply }) => {
      requireUser(req);
      res.setHeader('Cache-Control', 'no-store');
      reply(200, { items: await listEnabledReceivers(deps.db), limits: ACQUISITION_LIMITS });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/acquisition/acquire',
      operationId: 'startAcquisition',
      tag: 'Acquisition',
      summary: 'Start an IQ acquisition from several receivers (default: every enabled receiver)',
      body: acquireBody,
      responses: {
        202: { description: 'queued (Location: its status)', schema: acquisitionCreated },
        429: 'too many acquisitions in progress',
      },
    },
    async (req, res, { body, reply }) => {
      const user = requireUser(req);
      const created = await createAcquisition(deps, user, body);
      res.location(`/api/v1/acquisition/status/${created.taskId}`);
      reply(202, created);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/status/:taskId',
      operationId: 'getAcquisitionStatus',
      tag: 'Acquisition',
      summary: 'State and progress of my acquisition, with the result once finished',
      params: taskParams,
      responses: { 200: { description: 'state and progress', schema: taskStatus }, 404: 'no such acquisition' },
    },
    async (req, res, { params, reply }) => {
      const user = requireUser(req);
      res.setHeader('Cache-Control', 'no-store');
      reply(200, toTaskStatus(await findOwnedTask(deps.db, { taskId: params.taskId, userId: user.id })));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/acquisition/:taskId/cancel',
      operationId: 'cancelAcquisition',
      tag: 'Acquisition',
      summary: 'Cancel my queued or running acquisition: its receivers are disconnected and nothing more is stored',
      params: taskParams,
      responses: {
        202: { description: 'cancelled', schema: acquisitionCancelled },
        404: 'no such acquisition',
        409: 'already finished',
      },
    },
    async (req, _res, { params, reply }) => {
      const user = requireUser(req);
      const outcome = await cancelTask(deps.db, { taskId: params.taskId, userId: user.id });
      if (!outcome.cancelled) {
        if (outcome.state === null) throw errors.notFound('acquisition');
        throw errors.conflict('already_finished', `the acquisition already ended (${outcome.state})`);
      }
      // The state of record is already CANCELLED; this only tells the worker running it to hang up now.
      deps.bus.emit('acquisition.cancelled', { taskId: params.taskId });
      deps.logger.info({ event: 'acquisition_cancelled', taskId: params.taskId }, 'acquisition cancelled');
      reply(202, { taskId: params.taskId, state: 'CANCELLED' });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/sessions',
      operationId: 'listAcquisitions',
      tag: 'Acquisition',
      summary: 'My acquisitions, newest first (keyset pagination via nextCursor)',
      query: listQuery,
      responses: { 200: { description: 'one page of my acquisitions', schema: taskPage } },
    },
    async (req, _res, { query, reply }) => {
      const user = requireUser(req);
      const page = await listTasks(deps.db, {
        userId: user.id,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      reply(200, { items: page.tasks.map(taskSummary), nextCursor: page.nextCursor });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/acquisition/sessions/:taskId',
      operationId: 'getAcquisition',
      tag: 'Acquisition',
      summary: 'One of my acquisitions with its stored measurements and download links',
      params: taskParams,
      responses: {
        200: { description: 'the session and its measurements', schema: taskSession },
        404: 'no such acquisition',
      },
    },
    async (req, _res, { params, reply }) => {
      const user = requireUser(req);
      const task = await findOwnedTask(deps.db, { taskId: params.taskId, userId: user.id });
      reply(200, { ...taskSummary(task), measurements: await taskMeasurements(deps.db, task) });
    },
  );

  return router;
}
