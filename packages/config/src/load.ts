import type { z } from 'zod';
import { productionProblems } from './production-guard';

export type Env = Record<string, string | undefined>;

/** A set of named zod schemas, each parsing the raw environment into one typed concern. */
export type ConfigShape = Record<string, z.ZodType>;
export type ConfigOf<S extends ConfigShape> = { [K in keyof S]: z.output<S[K]> };

/** Thrown when the environment is invalid; `problems` holds one line per problem and never a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses every concern against the same environment and reports all problems at once, including the
 * published secrets and dev flags refused outside development and test (productionProblems).
 * Messages name the variable and what is wrong with it; values are never echoed, because
 * a mistyped secret in an error line is still a leaked secret.
 */
export function loadConfig<S extends ConfigShape>(shape: S, rawEnv: Env = process.env): ConfigOf<S> {
  const env = withoutEmpty(rawEnv);
  const problems: string[] = productionProblems(env);
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(env);
    if (parsed.success) out[name] = parsed.data;
    else for (const issue of parsed.error.issues) problems.push(describe(issue));
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return out as ConfigOf<S>;
}

/**
 * An empty value means unset, so the default applies: compose's `X: ${X:-}` and an `X=` line in an
 * env file pass empty strings for variables the operator left out (an empty ALERT_WEBHOOK_URL is
 * "no webhook", not an invalid URL).
 */
function withoutEmpty(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== '') out[k] = v;
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.') || '(env)';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${key}: is required` : `${key}: expected ${issue.expected}`;
    case 'invalid_value':
      return `${key}: must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

/** For main.ts: parse or exit non-zero with one line per problem on stderr. */
export function loadConfigOrExit<S extends ConfigShape>(shape: S, env: Env = process.env): ConfigOf<S> {
  try {
    return loadConfig(shape, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
