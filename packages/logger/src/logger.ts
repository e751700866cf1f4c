import pino, { type Logger, type LoggerOptions } from 'pino';
import { scrubDeep, scrubString } from './scrub';

export type { Logger } from 'pino';
export type LogDestination = pino.DestinationStream;

/** Lines appended to a file, written like production stdout (asynchronously, several lines a write). */
export const fileDestination = (path: string): LogDestination & { flushSync(): void } =>
  pino.destination({ dest: path, sync: false, mkdir: true });

export interface LoggerSettings {
  name: string;
  level?: string;
  pretty?: boolean;
  /** Where lines go; tests pass a stream to capture them. Defaults to stdout. */
  destination?: LogDestination;
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    base: { service: settings.name, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // Secrets are removed by one walk over each line's fields (and a child's bindings), see scrubDeep.
      log: (obj) => scrubDeep(obj) as Record<string, unknown>,
      bindings: (bindings) => scrubDeep(bindings) as Record<string, unknown>,
    },
    serializers: { err: (e: unknown) => scrubDeep(pino.stdSerializers.err(e as Error)) },
    hooks: {
      // Messages (and printf-style args) are scrubbed too: an interpolated URL is as dangerous as a field.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  return scrubChildBindings(build(options, settings));
}

function build(options: LoggerOptions, settings: LoggerSettings): Logger {
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } });
  }
  // Asynchronous stdout: lines written while a write is in flight go out together in the next one, so a
  // busy service makes a few large writes instead of a syscall per line. pino flushes it on exit.
  return pino(options, pino.destination({ dest: 1, sync: false }));
}

/** pino applies `formatters.bindings` to the base bindings only, never to a child's: they are scrubbed
 *  here. Children are created from their parent's prototype chain, so every descendant inherits this. */
function scrubChildBindings(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, scrubDeep(bindings) as pino.Bindings, childOptions);
  } as Logger['child'];
  return logger;
}
