import { z } from '@pulse/config';
import {
  DeadLetterError,
  type DeadLetterErrorCode,
  discardDeadLetter,
  recentActions,
  replayDeadLetter,
} from '@pulse/dead-letters';
import { isSubject } from '@pulse/messages';
import { Router } from 'express';
import type { AppDeps } from '../deps';
import { errors, type HttpError } from '../http/errors';
import { deadLetterActions, deadLetterList, deadLetterDiscarded, deadLetterReplayed } from '../http/response-schemas';
import { route } from '../http/route';
import { requireAdmin } from '../http/session';

const seqParams = z.object({ seq: z.coerce.number().int().min(1) });
const listQuery = z.object({
  subject: z.string().refine(isSubject, 'not a known subject, e.g. export.requested').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const CONFLICTS: Record<Exclude<DeadLetterErrorCode, 'not_found'>, true> = {
  already_handled: true,
  not_replayable: true,
  invalid_payload: true,
  job_not_failed: true,
};

/** The dead-letter refusals as API errors: gone → 404, the rest → 409 with their code. */
async function asHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof DeadLetterError)) throw err;
    const mapped: HttpError =
      err.code === 'not_found' || !CONFLICTS[err.code]
        ? errors.notFound('dead letter')
        : errors.conflict(err.code, err.message);
    throw mapped;
  }
}

/** Admin: messages the bus gave up on, with the reason; replay (once, recorded) or discard them. */
export function deadLettersRoutes(deps: AppDeps): Router {
  const router = Router();
  const dlq = { db: deps.db, bus: deps.bus, stream: deps.config.nats.stream };
  const actor = (id: string) => `admin:${id}`;

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/admin/dead-letters',
      operationId: 'listDeadLetters',
      tag: 'Dead letters',
      summary: 'Admin: dead letters waiting (oldest first) with why they failed, and the count per subject',
      query: listQuery,
      responses: { 200: { description: 'dead letters', schema: deadLetterList }, 403: 'not an administrator' },
    },
    async (req, res, { query, reply }) => {
      requireAdmin(req);
      res.setHeader('Cache-Control', 'no-store');
      const [items, depth] = await Promise.all([
        deps.bus.deadLetters.list({ subject: query.subject as never, limit: query.limit }),
        deps.bus.deadLetters.depth(),
      ]);
      reply(200, { items, depth });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/admin/dead-letters/actions',
      operationId: 'listDeadLetterActions',
      tag: 'Dead letters',
      summary: 'Admin: who replayed or discarded which dead letter, newest first',
      responses: { 200: { description: 'actions', schema: deadLetterActions }, 403: 'not an administrator' },
    },
    async (req, _res, { reply }) => {
      requireAdmin(req);
      const actions = await recentActions(deps.db, 100);
      reply(200, { items: actions.map((a) => ({ ...a, streamSeq: Number(a.streamSeq) })) });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/admin/dead-letters/:seq/replay',
      operationId: 'replayDeadLetter',
      tag: 'Dead letters',
      summary: 'Admin: revive the job and publish its message again with a new dedup id (once; recorded)',
      params: seqParams,
      responses: {
        202: { description: 'replayed', schema: deadLetterReplayed },
        403: 'not an administrator',
        404: 'no such dead letter',
        409: 'already handled, not replayable, or its job is not failed',
      },
    },
    async (req, _res, { params, reply }) => {
      const admin = requireAdmin(req);
      const plan = await asHttp(replayDeadLetter(dlq, params.seq, { actor: actor(admin.id) }));
      deps.kickOutbox();
      deps.logger.info(
        { event: 'dead_letter_replayed', seq: params.seq, subject: plan.subject, msgId: plan.msgId, by: admin.id },
        'dead letter replayed',
      );
      reply(202, { seq: plan.seq, subject: plan.subject, msgId: plan.msgId });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/admin/dead-letters/:seq/discard',
      operationId: 'discardDeadLetter',
      tag: 'Dead letters',
      summary: 'Admin: drop a dead letter for good (recorded with what it was)',
      params: seqParams,
      responses: {
        200: { description: 'discarded', schema: deadLetterDiscarded },
        403: 'not an administrator',
        404: 'no such dead letter',
        409: 'already handled',
      },
    },
    async (req, _res, { params, reply }) => {
      const admin = requireAdmin(req);
      const done = await asHttp(discardDeadLetter(dlq, params.seq, { actor: actor(admin.id) }));
      deps.logger.info(
        { event: 'dead_letter_discarded', seq: params.seq, subject: done.subject, by: admin.id },
        'dead letter discarded',
      );
      reply(200, { seq: done.seq, subject: done.subject });
    },
  );

  return router;
}
