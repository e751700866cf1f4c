import type { NextFunction, Request, Response, Router } from 'express';
import { z } from '@pulse/config';
import { errors } from './errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * A documented response: a description alone (redirects, empty bodies), a JSON body's zod schema, or
 * another media type (HTML, text/event-stream, bytes). Error statuses (4xx/5xx) without a schema get
 * the API's error body `{error: {code, message}}`.
 */
export type ResponseDoc = string | { description: string; schema: z.ZodType } | { description: string; media: string };
export type ResponseDocs = Record<number, ResponseDoc>;

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R extends ResponseDocs> {
  method: Method;
  path: string;
  /** Stable name of the operation in the OpenAPI document (clients generate method names from it). */
  operationId: string;
  /** The OpenAPI tag (the docs page groups operations by it). */
  tag: string;
  summary: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Documented response statuses: JSON bodies are sent through `reply`, typed by their schema. */
  responses: R;
  auth?: boolean;
}

type JsonStatus<R> = { [S in keyof R]: R[S] extends { schema: z.ZodType } ? S : never }[keyof R];
type JsonBody<R, S extends keyof R> = R[S] extends { schema: infer Z extends z.ZodType } ? z.input<Z> : never;

export interface Validated<B, Q, P, R> {
  body: B;
  query: Q;
  params: P;
  /**
   * Sends a JSON response with one of the route's documented statuses; the body must fit that status's
   * schema, so the OpenAPI document and the code answer from the same definition.
   */
  reply: <S extends JsonStatus<R> & number>(status: S, body: JsonBody<R, S>) => void;
}

interface Documented {
  method: Method;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  responses: ResponseDocs;
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
  R extends ResponseDocs = ResponseDocs,
>(
  router: Router,
  spec: RouteSpec<B, Q, P, R>,
  handler: (
    req: Request,
    res: Response,
    input: Validated<z.output<B>, z.output<Q>, z.output<P>, R>,
  ) => Promise<void> | void,
): void {
  if (!documentedRoutes.some((r) => r.method === spec.method && r.path === spec.path)) {
    documentedRoutes.push({ ...spec, auth: spec.auth ?? true });
  }
  router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const input = {
        body: parse(spec.body, req.body ?? {}, 'body'),
        query: parse(spec.query, req.query, 'query'),
        params: parse(spec.params, req.params, 'path'),
        reply: (status: number, body: unknown) => {
          res.status(status).json(body);
        },
      } as Validated<z.output<B>, z.output<Q>, z.output<P>, R>;
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

/** The body of every error response (the error middleware writes it). */
export const errorBody = z.object({
  error: z.object({
    code: z.string().meta({ description: 'machine-readable, e.g. validation_error, not_found, rate_limited' }),
    message: z.string(),
    details: z.unknown().optional().meta({ description: 'for validation errors: the failing fields' }),
  }),
});

/**
 * zod → JSON Schema (2020-12, as OpenAPI 3.1 uses). Requests are documented as they are accepted
 * (`io: input`), responses as they are sent (`io: output`). A `z.date()` in a response schema is a
 * Date the handler passes to res.json: on the wire it is an ISO 8601 string.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  });
}

function responseObject(status: number, doc: ResponseDoc) {
  if (typeof doc === 'string') {
    if (status < 400) return { description: doc };
    return { description: doc, content: { 'application/json': { schema: jsonSchema(errorBody, 'output') } } };
  }
  if ('schema' in doc) {
    return {
      description: doc.description,
      content: { 'application/json': { schema: jsonSchema(doc.schema, 'output') } },
    };
  }
  return { description: doc.description, content: { [doc.media]: {} } };
}

/** OpenAPI 3.1 document built from the registered zod schemas. */
export function openApiDocument(info: {
  title: string;
  version: string;
  description?: string;
}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const r of documentedRoutes) {
    const oaPath = r.path.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\*([A-Za-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    const responses: ResponseDocs = { ...r.responses, 400: r.responses[400] ?? 'invalid input' };
    if (r.auth) responses[401] = 'not signed in';
    tags.add(r.tag);
    paths[oaPath] ??= {};
    paths[oaPath][r.method] = {
      operationId: r.operationId,
      tags: [r.tag],
      summary: r.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }
        : {}),
      responses: Object.fromEntries(Object.entries(responses).map(([s, d]) => [s, responseObject(Number(s), d)])),
      ...(r.auth ? { security: [{ cookie: [] }, { bearer: [] }] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'pulse_session',
          description:
            'The browser session (named __Host-pulse_session where the deployment is https, SESSION_COOKIE_SECURE); requests other than GET also need `X-Requested-With: pulse`',
        },
        bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /api/v1/auth/otp/verify' },
      },
    },
  };
}
