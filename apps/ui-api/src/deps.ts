import type { Bus } from '@pulse/bus';
import type { ChangeFeed, Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import type { Mailer } from '@pulse/mail';
import type { Registry } from '@pulse/runtime';
import type { Storage } from '@pulse/storage';
import type { UiApiConfig } from './config';
import type { ExportEventHub } from './exports/export-event-hub';
import type { FileCache } from './files/file-queries';
import type { SessionCache } from './http/session-cache';
import type { ApiReadiness } from './health/readiness';

/** Everything a route needs, passed in (tests build it with real services and their own config). */
export interface AppDeps {
  config: UiApiConfig;
  logger: Logger;
  db: Db;
  storage: Storage;
  bus: Bus;
  mailer: Mailer;
  metrics: Registry;
  /** The shared, briefly cached readiness verdict (health/readiness.ts): public probes and the ops listener. */
  readiness: ApiReadiness;
  /** Injected clock: tests move time to check expiry (OTP codes, report links, exports). */
  now: () => Date;
  /** Asks the outbox relay to publish now instead of at its next tick (lower latency after a write). */
  kickOutbox: () => void;
  /** Committed changes to sessions, users and files, heard from Postgres; keeps the caches below true. */
  changes: ChangeFeed;
  /** Recently verified sessions (made by createApp; logout forgets its own at once). */
  sessions: SessionCache;
  /** Recently downloaded files (made by createApp). */
  files: FileCache;
  /** Export progress from the bus, fanned out to this process's SSE streams (made by createApp). */
  exportEvents: ExportEventHub;
}

/** What main.ts and tests hand to createApp; the app adds what lives and dies with it. */
export type AppInput = Omit<AppDeps, 'sessions' | 'files' | 'exportEvents'>;
