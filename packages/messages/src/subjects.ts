import { z } from 'zod';

// A calendar month or an ISO week (weekly subscriptions).
const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3]))$/, 'YYYY-MM or YYYY-Www');

/**
 * Every message on the bus, by subject suffix (the prefix, `pulse` by default, comes from config).
 * Payloads are validated on publish and on consume: a malformed message is dead-lettered, not retried.
 */
export const SUBJECTS = {
  'export.requested': z.object({ exportId: z.uuid() }),
  'export.progress': z.object({
    exportId: z.uuid(),
    userId: z.uuid(),
    rowsDone: z.number().int().nonnegative(),
    status: z.string(),
  }),
  'export.completed': z.object({
    exportId: z.uuid(),
    userId: z.uuid(),
    status: z.enum(['succeeded', 'failed']),
    fileId: z.uuid().optional(),
  }),
  'report.requested': z.object({ period, followerId: z.uuid(), resend: z.boolean().optional() }),
  'report.completed': z.object({ period, followerId: z.uuid(), status: z.enum(['sent', 'failed', 'skipped']) }),
  'acquisition.requested': z.object({ taskId: z.uuid() }),
  'acquisition.progress': z.object({
    taskId: z.uuid(),
    userId: z.uuid(),
    current: z.number().int(),
    total: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
  }),
  'acquisition.completed': z.object({ taskId: z.uuid(), userId: z.uuid(), state: z.string() }),
  // Core NATS, heard by every worker replica: the one running the task closes its connections.
  'acquisition.cancelled': z.object({ taskId: z.uuid() }),
  'cleanup.requested': z.object({ reason: z.string().min(1).max(200), dryRun: z.boolean().optional() }),
} as const;

export type Subject = keyof typeof SUBJECTS;
export type Payload<S extends Subject> = z.output<(typeof SUBJECTS)[S]>;
