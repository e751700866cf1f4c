export { type BounceOptions, bounceMessage } from './bounce-messages';
export { parseCsv } from './csv';
export { createTestDatabase, ensureTemplate, type TestDatabase } from './database';
export { LogCapture } from './log-capture';
export { rgwAdmin, startRgw } from './rgw';
export { NATS_URL, PG_ADMIN_URL, s3TestEnv, uniqueName } from './services';
export { startSmtpCapture, type CapturedMail, type SmtpCapture } from './smtp-capture';
export { eventually, type WaitOptions, waitFor } from './wait';
