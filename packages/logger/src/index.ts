export { createLogger, type Logger, type LoggerSettings } from './logger';
export { REDACTED, scrubDeep, scrubString } from './scrub';
