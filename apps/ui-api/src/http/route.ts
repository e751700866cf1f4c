import type { NextFunction, Request, Response, Router } from 'express';
import { z } from '@pulse/config';
import { errors } from './errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Documented response statuses (for the OpenAPI document). */
  responses?: Record<number, string>;
  auth?: boolean;
}

export interface Validated<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

interface Documented {
  method: Method;
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  responses: Record<number, string>;
  auth: boolean;
}

/** Every route registered through `route()`, for the generated OpenAPI document. */
export const documentedRoutes: Documented[] = [];

/**
 * Registers a handler whose body/query/params are parsed by zod first: bad input never reaches the
 * handler, and the same schemas generate /api/v1/openapi.json, so docs and validation can't drift.
 */
export function route<
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
>(
  router: Router,
  spec: RouteSpec<B, Q, P>,
  handler: (
    req: Request,
    res: Response,
    input: Validated<z.output<B>, z.output<Q>, z.output<P>>,
  ) => Promise<void> | void,
): void {
  if (!documentedRoutes.some((r) => r.method === spec.method && r.path === spec.path)) {
    documentedRoutes.push({ ...spec, responses: spec.responses ?? {}, auth: spec.auth ?? true });
  }
  router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const input = {
        body: parse(spec.body, req.body ?? {}, 'body'),
        query: parse(spec.query, req.query, 'query'),
        params: parse(spec.params, req.params, 'path'),
      } as Validated<z.output<B>, z.output<Q>, z.output<P>>;
      await handler(req, res, input);
    } catch (err) {
      next(err);
    }
  });
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
  const first = issues[0];
  throw errors.validation(first ? `${first.path}: ${first.message}` : `invalid ${where}`, issues);
}

/** OpenAPI 3.1 document built from the registered zod schemas. */
export function openApiDocument(info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  for (const r of documentedRoutes) {
    const oaPath = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    paths[oaPath] ??= {};
    paths[oaPath][r.method] = {
      summary: r.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(r.body) } } } } : {}),
      responses: Object.fromEntries(
        Object.entries({ ...r.responses, 400: 'invalid input', ...(r.auth ? { 401: 'not signed in' } : {}) }).map(
          ([s, d]) => [s, { description: d }],
        ),
      ),
      ...(r.auth ? { security: [{ cookie: [] }, { bearer: [] }] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'pulse_session',
          description: 'named __Host-pulse_session where the deployment is https (SESSION_COOKIE_SECURE)',
        },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
