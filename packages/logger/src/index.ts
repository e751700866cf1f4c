export { createLogger, fileDestination, type LogDestination, type Logger, type LoggerSettings } from './logger';
export { REDACTED, scrubDeep, scrubString } from './scrub';
