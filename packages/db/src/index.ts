export { type AdvisoryLockResult, withAdvisoryLock } from './advisory-lock';
export { type Change, type ChangeFeed, type ChangeFeedOptions, startChangeFeed } from './change-feed';
export { type CreateDbOptions, createDb, type Db } from './client';
export { isDatabaseUnavailable, isUniqueViolation } from './errors';
export { lockedTransaction } from './locked-transaction';
export * from './generated/prisma/client';
export {
  enqueueOutbox,
  outboxBacklog,
  type OutboxMessage,
  type OutboxPublish,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayPass,
  startOutboxRelay,
} from './outbox';
export { type Loaded, RowCache, type RowCacheOptions } from './row-cache';
export { DEMO_USERS, type SeedOptions, type SeedSummary, seedDemo } from './seed';
