import type { Env } from './load';

/**
 * Secret values published in this repository or its history: the local stack's (every one of them says
 * "change-me"), the old compose defaults and MinIO's documented keys. Anyone can read
 * them, so outside development and test they are as good as no secret at all.
 */
const PUBLISHED_SECRETS = new Set([
  'compose-dev-link-signing-secret',
  'compose-dev-unsubscribe-signing-secret',
  'compose-dev-otp-hash-secret',
  'pulse-minio-secret',
  'minioadmin',
]);
const PUBLISHED_MARKER = /change-?me/i;

/** A variable holding a secret: signing keys, passwords, secret keys, and their *_PREVIOUS rotation slots. */
const SECRET_NAME = /(SECRET|SECRET_KEY|SIGNING_KEY|PASSWORD)(_PREVIOUS)?$/;

/** Switches that trade safety for convenience on a developer's machine. */
const DEV_FLAGS: Record<string, string> = {
  AUTH_DEV_ECHO: 'returns login codes in API responses',
  DEBUG: 'mounts the debug routes for anyone',
};
const ON = new Set(['1', 'true', 'yes']);

/** Where the conveniences above are allowed; unset NODE_ENV means development (the nodeEnv default). */
const DEV_ENVS = new Set(['development', 'test']);

/**
 * One line per problem (never a value) when the environment runs outside development and test with a
 * published secret or a dev flag on. Checked once, by loadConfig, for the whole environment, so no app
 * can forget it and a flag that one app ignores cannot be left on for another.
 */
export function productionProblems(env: Env): string[] {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (DEV_ENVS.has(nodeEnv)) return [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !SECRET_NAME.test(name)) continue;
    if (PUBLISHED_SECRETS.has(value) || PUBLISHED_MARKER.test(value)) {
      problems.push(
        `${name}: is a published example value, refused when NODE_ENV=${nodeEnv}; generate one (e.g. openssl rand -hex 32)`,
      );
    }
  }
  for (const [flag, what] of Object.entries(DEV_FLAGS)) {
    const value = env[flag];
    if (value !== undefined && ON.has(value.toLowerCase())) {
      problems.push(`${flag}: ${what}; allowed only when NODE_ENV is development or test (it is ${nodeEnv})`);
    }
  }
  return problems;
}
