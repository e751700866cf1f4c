/**
 * Checks real responses against /api/v1/openapi.json: the request must match a documented operation,
 * its status must be documented, and a JSON body must validate against that status's schema (ajv,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses). Records which (operation, status) pairs were seen.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;

interface Operation {
  operationId: string;
  tags: string[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: object }> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

export function openApiChecker(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // zod writes `.startsWith()` as a pattern plus this informational format.
  ajv.addFormat('starts_with', true);
  const compiled = new Map<object, ReturnType<typeof ajv.compile>>();
  // Static segments before parameters, so `/exports/events` is not taken for `/exports/{id}`.
  const operations = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        params: (path.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${path.replace(/\{key\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        operation,
      })),
    )
    .sort((a, b) => a.params - b.params);
  const seen = new Set<string>();

  return {
    seen,
    /** Every documented JSON success response, as `operationId status`. */
    jsonSuccesses(): string[] {
      return operations.flatMap((o) =>
        Object.entries(o.operation.responses)
          .filter(([status, r]) => Number(status) < 300 && r.content?.['application/json']?.schema)
          .map(([status]) => `${o.operation.operationId} ${status}`),
      );
    },
    /** Throws with the reason when the response does not match the document. */
    async check(method: string, url: string, res: Response): Promise<void> {
      const pathname = new URL(url, 'http://x').pathname;
      const op = operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname));
      if (!op) throw new Error(`${method} ${pathname} is not in the OpenAPI document`);
      const { operationId } = op.operation;
      const documented = op.operation.responses[String(res.status)];
      if (!documented) throw new Error(`${operationId}: status ${res.status} is not documented`);
      const schema = documented.content?.['application/json']?.schema;
      if (!schema) return;
      const body = await res.clone().json();
      const validate = compiled.get(schema) ?? ajv.compile(schema);
      compiled.set(schema, validate);
      if (!validate(body)) {
        throw new Error(
          `${operationId} ${res.status}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
        );
      }
      seen.add(`${operationId} ${res.status}`);
    },
  };
}
