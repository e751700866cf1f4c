import { z } from '@pulse/config';
import { getSubscription, readUnsubscribeToken, resubscribe, unsubscribe } from '@pulse/reports';
import express, { type Request, Router } from 'express';
import type { AppDeps } from '../deps';
import { route } from '../http/route';
import { sendUnsubscribePage } from '../subscriptions/unsubscribe-page';

const tokenParam = z.object({ token: z.string().min(1).max(2048) });
// RFC 8058 clients send exactly `List-Unsubscribe=One-Click`; the page's buttons send `action`.
const postBody = z.object({
  'List-Unsubscribe': z.string().optional(),
  action: z.enum(['unsubscribe', 'resubscribe']).optional(),
});

const INVALID = {
  title: 'Link not valid',
  message: 'This unsubscribe link is not valid or has expired. Sign in to Pulse to manage your subscription.',
};

const UNSUBSCRIBED = (email: string) => ({
  title: 'You are unsubscribed',
  message: `Pulse reports are no longer sent to ${email}. Changed your mind?`,
  button: { action: 'resubscribe' as const, label: 'Resubscribe' },
});

/**
 * `/u/{token}`: one-click unsubscribe without signing in (RFC 8058). The token is the credential: the user
 * id, signed for the unsubscribe purpose with its own key. POST unsubscribes (or resubscribes from the
 * page's button); GET only shows where the user stands.
 */
export function unsubscribeRoutes(deps: AppDeps): Router {
  const router = Router();
  // Mail clients and the page's form post application/x-www-form-urlencoded.
  router.use('/u', express.urlencoded({ extended: false, limit: '2kb' }));

  async function subjectOf(token: string) {
    const read = readUnsubscribeToken(deps.config.keys.unsubscribe, token, deps.now());
    if (!read.ok) {
      deps.logger.info({ event: 'unsubscribe_link_rejected', reason: read.reason }, 'unsubscribe link rejected');
      return null;
    }
    return deps.db.prisma.user.findUnique({ where: { id: read.userId }, select: { id: true, email: true } });
  }

  route(
    router,
    {
      method: 'get',
      path: '/u/:token',
      operationId: 'showUnsubscribePage',
      tag: 'Subscriptions',
      summary:
        'Unsubscribe link from a report email: a page showing the subscription with an unsubscribe or resubscribe button; changes nothing',
      params: tokenParam,
      responses: {
        200: { description: 'HTML page', media: 'text/html' },
        404: { description: 'invalid or expired link (HTML page)', media: 'text/html' },
      },
      auth: false,
    },
    async (_req, res, { params }) => {
      const user = await subjectOf(params.token);
      if (!user) return sendUnsubscribePage(res, 404, INVALID);
      const subscription = await getSubscription(deps.db, user.id);
      if (subscription.unsubscribedAt) return sendUnsubscribePage(res, 200, UNSUBSCRIBED(user.email));
      sendUnsubscribePage(res, 200, {
        title: 'Unsubscribe from Pulse reports?',
        message: `Reports for the devices you follow are emailed to ${user.email}. Unsubscribe to stop every report.`,
        button: { action: 'unsubscribe', label: 'Unsubscribe' },
      });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/u/:token',
      operationId: 'unsubscribe',
      tag: 'Subscriptions',
      summary:
        'One-click unsubscribe (RFC 8058 `List-Unsubscribe=One-Click`) or the page’s unsubscribe/resubscribe button; no sign-in',
      params: tokenParam,
      body: postBody,
      responses: {
        200: { description: 'HTML page', media: 'text/html' },
        404: { description: 'invalid or expired link (HTML page)', media: 'text/html' },
      },
      auth: false,
    },
    async (req: Request, res, { params, body }) => {
      const user = await subjectOf(params.token);
      if (!user) return sendUnsubscribePage(res, 404, INVALID);
      if (body.action === 'resubscribe') {
        const { changed } = await resubscribe(deps.db, user.id, { method: 'page' });
        deps.logger.info({ event: 'report_resubscribed', userId: user.id, method: 'page', changed }, 'resubscribed');
        return sendUnsubscribePage(res, 200, {
          title: 'You are subscribed again',
          message: `Pulse reports will be sent to ${user.email} again.`,
          button: { action: 'unsubscribe', label: 'Unsubscribe' },
        });
      }
      const method = body['List-Unsubscribe'] === 'One-Click' ? 'one-click' : 'page';
      const { changed } = await unsubscribe(deps.db, user.id, { method });
      deps.logger.info(
        { event: 'report_unsubscribed', userId: user.id, method, changed, requestId: req.id },
        'unsubscribed from reports',
      );
      sendUnsubscribePage(res, 200, UNSUBSCRIBED(user.email));
    },
  );

  return router;
}
