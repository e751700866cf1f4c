import { z } from '@pulse/config';
import {
  getSubscription,
  listSubscriptions,
  nextDelivery,
  type Subscription,
  SubscriptionError,
  subscriptionHistory,
  subscriptionPatch,
  updateSubscription,
} from '@pulse/reports';
import { type Request, Router } from 'express';
import type { AppDeps } from '../deps';
import { errors, HttpError } from '../http/errors';
import { reportPreview, subscriptionDetail, subscriptionList, subscriptionUpdated } from '../http/response-schemas';
import { route } from '../http/route';
import { requireAdmin, requireUser } from '../http/session';
import { renderPreview } from '../subscriptions/preview';

const userParam = z.object({ userId: z.union([z.literal('me'), z.uuid()]) });

/** `me`, yourself, or (administrators) anyone; someone else's subscription is a 404 like any other resource. */
async function subjectOf(deps: AppDeps, req: Request, userId: string) {
  const user = requireUser(req);
  const id = userId === 'me' ? user.id : userId;
  if (id !== user.id && user.role !== 'admin') throw errors.notFound('subscription');
  const subject = await deps.db.prisma.user.findUnique({
    where: { id },
    select: { id: true, email: true, name: true },
  });
  if (!subject) throw errors.notFound('subscription');
  return { actor: user, subject };
}

function view(deps: AppDeps, s: Subscription) {
  const next = nextDelivery(s, deps.now());
  return {
    ...s,
    unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
    nextDelivery: next && { at: next.at.toISOString(), period: next.period },
  };
}

export function subscriptionsRoutes(deps: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/subscriptions',
      operationId: 'listSubscriptions',
      tag: 'Subscriptions',
      summary: 'Admin: every follower’s report subscription',
      responses: { 200: { description: 'every subscription', schema: subscriptionList }, 403: 'not an administrator' },
    },
    async (req, _res, { reply }) => {
      requireAdmin(req);
      const items = await listSubscriptions(deps.db);
      reply(200, { items: items.map((i) => ({ ...i, subscription: view(deps, i.subscription) })) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/api/v1/subscriptions/:userId',
      operationId: 'getSubscription',
      tag: 'Subscriptions',
      summary: 'A report subscription (`me` for your own): settings, next delivery, followed devices, history',
      params: userParam,
      responses: {
        200: { description: 'the subscription', schema: subscriptionDetail },
        404: 'no such user, or not yours',
      },
    },
    async (req, _res, { params, reply }) => {
      const { subject } = await subjectOf(deps, req, params.userId);
      const [subscription, devices, history] = await Promise.all([
        getSubscription(deps.db, subject.id),
        deps.db.prisma.deviceFollow.findMany({
          where: { userId: subject.id },
          select: { device: { select: { id: true, name: true, site: true } } },
          orderBy: { device: { name: 'asc' } },
        }),
        subscriptionHistory(deps.db, subject.id),
      ]);
      reply(200, {
        user: subject,
        subscription: view(deps, subscription),
        devices: devices.map((d) => d.device),
        history: history.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
      });
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/api/v1/subscriptions/:userId',
      operationId: 'updateSubscription',
      tag: 'Subscriptions',
      summary:
        'Change a report subscription: frequency (monthly|weekly), formats (pdf|xlsx|both), slot (HH:MM UTC), timeZone, deviceIds (null: all followed), paused, subscribed',
      params: userParam,
      body: subscriptionPatch,
      responses: {
        200: { description: 'the subscription', schema: subscriptionUpdated },
        400: 'invalid value or a device you do not follow',
        404: 'not yours',
      },
    },
    async (req, _res, { params, body, reply }) => {
      const { actor, subject } = await subjectOf(deps, req, params.userId);
      const method = actor.id === subject.id ? 'settings' : 'admin';
      try {
        const subscription = await updateSubscription(deps.db, subject.id, body, { method, actorId: actor.id });
        deps.logger.info(
          { event: 'subscription_updated', userId: subject.id, actorId: actor.id, fields: Object.keys(body) },
          'report subscription updated',
        );
        reply(200, { subscription: view(deps, subscription) });
      } catch (err) {
        if (err instanceof SubscriptionError) throw new HttpError(400, err.code, err.message);
        throw err;
      }
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/api/v1/subscriptions/:userId/preview',
      operationId: 'previewSubscription',
      tag: 'Subscriptions',
      summary:
        'Render now: the last complete period’s report as this subscription would send it (first page as PNG); no email',
      params: userParam,
      responses: {
        200: { description: 'the first page', schema: reportPreview },
        404: 'not yours',
        429: 'too many previews at once',
      },
    },
    async (req, _res, { params, reply }) => {
      const { subject } = await subjectOf(deps, req, params.userId);
      reply(200, await renderPreview(deps, await getSubscription(deps.db, subject.id)));
    },
  );

  return router;
}
