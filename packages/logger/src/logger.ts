import pino, { type Logger, type LoggerOptions } from 'pino';
import { scrubDeep, scrubString } from './scrub';

export type { Logger } from 'pino';

// Key-level redaction: these fields are secrets whatever their value looks like.
const SECRET_KEYS = [
  'password',
  'pass',
  'secret',
  'secretKey',
  'secretAccessKey',
  'accessKey',
  'accessKeyId',
  'authorization',
  'cookie',
  'set-cookie',
  'token',
  'sessionToken',
  'otp',
  'otpCode',
  'presignedUrl',
  'signedUrl',
  'location',
  'key',
  'objectKey',
  'apiKey',
  'hmacKey',
  'signingKey',
];
const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerSettings {
  name: string;
  level?: string;
  pretty?: boolean;
  /** Where lines go; tests pass a stream to capture them. Defaults to stdout. */
  destination?: pino.DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    base: { service: settings.name, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrubDeep(obj) as Record<string, unknown>,
    },
    serializers: { err: (e: unknown) => scrubDeep(pino.stdSerializers.err(e as Error)) },
    hooks: {
      // Messages (and printf-style args) are scrubbed too: an interpolated URL is as dangerous as a field.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } });
  }
  return pino(options);
}
