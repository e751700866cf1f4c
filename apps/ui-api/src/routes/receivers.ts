import {
  createReceiver,
  deleteReceiver,
  getReceiver,
  isReceiverError,
  listReceivers,
  RECEIVER_ID,
  type ReceiverError,
  receiverCreate,
  receiverPatch,
  updateReceiver,
} from '@pulse/acquisitions';
import { z } from '@pulse/config';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { errors, type HttpError } from '../http/errors';
import { receiverList, receiverView } from '../http/response-schemas';
import { route } from '../http/route';
import { requireAdmin } from '../http/session';

const receiverParams = z.object({ receiverId: z.string().regex(RECEIVER_ID) });

/** The registry's refusals as API errors: invalid → 400 with the fields, unknown → 404, duplicate → 409. */
function asHttp(err: ReceiverError): HttpError {
  switch (err.code) {
    case 'invalid_receiver':
      return errors.validation(err.message, err.details);
    case 'receiver_not_found':
      return errors.notFound('receiver');
    default:
      return errors.conflict(err.code, err.message);
  }
}

const registry = async <T>(work: Promise<T>): Promise<T> => {
  try {
    return await work;
  } catch (err) {
    throw isReceiverError(err) ? asHttp(err) : err;
  }
};

/** Admin: the receivers registry. Password references are write-only (`hasPassword` says if one is set). */
export function receiversRoutes(deps: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/admin/receivers',
      operationId: 'listReceivers',
      tag: 'Receivers',
      summary: 'Admin: every registered receiver (enabled or not) with its address and status',
      responses: { 200: { description: 'every receiver', schema: receiverList }, 403: 'not an administrator' },
    },
    async (req, res, { reply }) => {
      requireAdmin(req);
      res.setHeader('Cache-Control', 'no-store');
      reply(200, { items: await listReceivers(deps.db) });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/admin/receivers',
      operationId: 'createReceiver',
      tag: 'Receivers',
      summary: 'Admin: register a receiver (KiwiSDR, rtl_tcp or synthetic)',
      body: receiverCreate,
      responses: {
        201: { description: 'the receiver', schema: receiverView },
        400: 'invalid field',
        409: 'duplicate id or address',
      },
    },
    async (req, res, { body, reply }) => {
      const admin = requireAdmin(req);
      const created = await registry(createReceiver(deps.db, body));
      deps.logger.info(
        { event: 'receiver_created', receiverId: created.id, kind: created.kind, by: admin.id },
        'receiver added',
      );
      res.location(`/api/v1/admin/receivers/${created.id}`);
      reply(201, created);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/admin/receivers/:receiverId',
      operationId: 'getReceiver',
      tag: 'Receivers',
      summary: 'Admin: one receiver',
      params: receiverParams,
      responses: { 200: { description: 'the receiver', schema: receiverView }, 404: 'no such receiver' },
    },
    async (req, _res, { params, reply }) => {
      requireAdmin(req);
      reply(200, await registry(getReceiver(deps.db, params.receiverId)));
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/api/v1/admin/receivers/:receiverId',
      operationId: 'updateReceiver',
      tag: 'Receivers',
      summary: 'Admin: change a receiver (any fields; `enabled: false` disables it; `passwordRef: null` clears it)',
      params: receiverParams,
      body: receiverPatch,
      responses: {
        200: { description: 'the receiver', schema: receiverView },
        400: 'invalid field',
        404: 'no such receiver',
        409: 'duplicate address',
      },
    },
    async (req, _res, { params, body, reply }) => {
      const admin = requireAdmin(req);
      const updated = await registry(updateReceiver(deps.db, params.receiverId, body));
      deps.logger.info(
        { event: 'receiver_updated', receiverId: updated.id, fields: Object.keys(body), by: admin.id },
        'receiver changed',
      );
      reply(200, updated);
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/api/v1/admin/receivers/:receiverId',
      operationId: 'deleteReceiver',
      tag: 'Receivers',
      summary: 'Admin: remove a receiver (measurements already stored stay)',
      params: receiverParams,
      responses: { 204: 'removed', 404: 'no such receiver' },
    },
    async (req, res, { params }) => {
      const admin = requireAdmin(req);
      await registry(deleteReceiver(deps.db, params.receiverId));
      deps.logger.info({ event: 'receiver_deleted', receiverId: params.receiverId, by: admin.id }, 'receiver removed');
      res.status(204).end();
    },
  );

  return router;
}
