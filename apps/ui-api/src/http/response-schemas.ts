/**
 * What the API answers, as zod schemas: the routes send their JSON bodies through `reply`, typed by
 * these, and /api/v1/openapi.json documents them from the same definitions. `z.date()` is a Date the
 * handler passes to res.json, an ISO 8601 string on the wire.
 */
import { API_STATES, RECEIVER_KINDS } from '@pulse/acquisitions';
import { z } from '@pulse/config';
import {
  ArtifactKind,
  DeliveryStatus,
  ExportFormat,
  FileStatus,
  JobStatus,
  ReportFormats,
  ReportFrequency,
  SubscriptionChange,
  UserRole,
} from '@pulse/db';

const timestamp = z.iso.datetime({ offset: true });
const apiLink = z.string().startsWith('/').meta({ description: 'an API path: redirects to a fresh presigned GET' });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'pass as ?cursor=' }) });
const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

// --- auth
export const userBody = z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.enum(UserRole) });
export const otpRequested = z.object({
  ok: z.literal(true),
  devCode: z.string().optional().meta({ description: 'only with AUTH_DEV_ECHO (never in production)' }),
});
export const signedIn = z.object({ token: z.string(), user: userBody, expiresAt: timestamp });

// --- health
export const liveness = z.object({ status: z.literal('ok') });
const checks = z.record(z.string(), z.boolean());
export const readiness = z.object({ status: z.literal('ready'), checks, failed: z.array(z.string()).length(0) });
export const notReady = z.object({
  status: z.literal('unavailable'),
  checks,
  failed: z.array(z.string()).min(1),
  error: z.object({ code: z.literal('not_ready'), message: z.string() }),
});
// Strict: the public answer must not grow internal names again (they are on the ops listener).
export const storageStatus = z.strictObject({ ok: z.boolean(), backend: z.enum(['s3', 'local']) });

// --- files
export const fileItem = z.object({
  id: z.uuid(),
  artifactId: z.uuid(),
  kind: z.enum(ArtifactKind),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string().nullable(),
  status: z.enum(FileStatus),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  downloadUrl: apiLink,
});
export const filePage = page(fileItem);
export const downloadUrl = z.object({
  file_id: z.uuid(),
  url: z.url().meta({ description: 'presigned GET: a credential until it expires, do not log it' }),
  expiry_sec: z.number().int(),
  backend: z.enum(['s3', 'local']),
});
export const uploadStarted = z.object({
  fileId: z.uuid(),
  uploadUrl: z.url(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()).meta({ description: 'send exactly these headers with the PUT' }),
  expiresIn: z.number().int(),
});
export const debugPdfStored = z.object({
  fileId: z.uuid(),
  size: z.number().int(),
  sha256: z.string(),
  downloadUrl: apiLink,
});

// --- exports
export const deviceItem = z.object({ id: z.string(), name: z.string(), site: z.string().nullable() });
export const deviceList = items(deviceItem);
export const exportCreated = z.object({ id: z.uuid(), status: z.literal('queued') });
export const exportItem = z.object({
  id: z.uuid(),
  format: z.enum(ExportFormat),
  // The job's status, or what its file became: missing (lost from storage, not expired).
  status: z.enum([...Object.values(JobStatus), 'missing']),
  deviceIds: z.array(z.string()),
  metrics: z.array(z.string()),
  from: timestamp,
  to: timestamp,
  rowsDone: z.number().int(),
  sizeBytes: z.number().int().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  filename: z.string().nullable(),
  downloadUrl: apiLink.nullable(),
});
export const exportPage = page(exportItem);

// --- acquisition
const receiverKind = z.enum(RECEIVER_KINDS);
const receiverStatus = z.enum(['online', 'failing', 'unknown']);
export const receiverSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: receiverKind,
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  minFrequencyHz: z.number(),
  maxFrequencyHz: z.number(),
  maxSampleRate: z.number(),
  status: receiverStatus,
  lastSeenAt: timestamp.nullable(),
  lastError: z.string().nullable(),
});
const range = z.object({ min: z.number(), max: z.number() });
export const receiversWithLimits = z.object({
  items: z.array(receiverSummary),
  limits: z.object({
    frequencyHz: range,
    durationMs: range,
    sampleRate: range,
    maxSamplesPerReceiver: z.number().int(),
    maxReceivers: z.number().int(),
    maxActivePerUser: z.number().int(),
  }),
});
export const acquisitionCreated = z.object({ taskId: z.uuid() });
export const acquisitionCancelled = z.object({ taskId: z.uuid(), state: z.literal('CANCELLED') });
export const taskStatus = z.object({
  taskId: z.uuid(),
  state: z.enum(API_STATES).meta({
    description: 'queued and running in lower case, the final states in upper case (as published since v1)',
  }),
  progress: z.object({
    current: z.number().int(),
    total: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
    captureMs: z.number().int().meta({
      description: 'wall-clock capture time so far (0 until it starts, at most captureTotalMs)',
    }),
    captureTotalMs: z.number().int().meta({ description: 'the requested capture duration' }),
  }),
  result: z.unknown().optional().meta({ description: 'once finished: per-receiver outcome and timings' }),
  error: z.string().optional(),
});
export const taskSummary = taskStatus.extend({
  frequencyHz: z.number(),
  durationMs: z.number().int(),
  sampleRate: z.number().int(),
  receivers: z.array(z.string()),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});
export const taskPage = page(taskSummary);
const measurementFile = z.object({
  fileId: z.uuid(),
  filename: z.string().nullable(),
  size: z.number().int().nullable(),
  sha256: z.string().nullable(),
  available: z.boolean(),
  downloadUrl: apiLink,
});
export const taskSession = taskSummary.extend({
  measurements: z.array(
    z.object({
      receiverId: z.string(),
      sampleCount: z.number().int(),
      snrDb: z.number().nullable(),
      sha256: z.string(),
      size: z.number().int(),
      startedAt: timestamp,
      endedAt: timestamp,
      npy: measurementFile,
      metadata: measurementFile,
    }),
  ),
});

// --- receivers registry (admin)
export const receiverView = receiverSummary.extend({
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  hasPassword: z.boolean(),
  enabled: z.boolean(),
  lastErrorAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const receiverList = items(receiverView);

// --- reports
export const reportItem = z.object({
  id: z.uuid(),
  period: z.string().meta({ description: 'YYYY-MM or YYYY-Www' }),
  status: z.enum(DeliveryStatus),
  emailSent: z.boolean(),
  sentAt: timestamp.nullable(),
  storageUploaded: z.boolean(),
  linksValidUntil: timestamp.nullable(),
  reason: z.string().nullable(),
  resendCount: z.number().int(),
  follower: z.object({ id: z.uuid(), email: z.string() }).optional(),
  files: z.array(
    z.object({
      id: z.uuid(),
      kind: z.enum(['pdf', 'xlsx']),
      filename: z.string(),
      size: z.number().int(),
      downloadUrl: apiLink,
    }),
  ),
});
export const reportList = items(reportItem);
export const reportRunRequested = z.object({
  period: z.string(),
  requested: z.number().int(),
  resend: z.boolean(),
  runId: z.string(),
});
export const resendRequested = z.object({ id: z.uuid(), period: z.string(), resendCount: z.number().int() });

// --- subscriptions
export const subscriptionView = z.object({
  userId: z.uuid(),
  frequency: z.enum(ReportFrequency),
  formats: z.enum(ReportFormats),
  slot: z.string().meta({ description: 'HH:MM UTC' }),
  timeZone: z.string(),
  deviceIds: z.array(z.string()).nullable().meta({ description: 'null: every followed device' }),
  paused: z.boolean(),
  unsubscribedAt: timestamp.nullable(),
  saved: z.boolean().meta({ description: 'false: nothing stored, these are the defaults' }),
  nextDelivery: z.object({ at: timestamp, period: z.string() }).nullable(),
});
const subscriber = z.object({ id: z.uuid(), email: z.string(), name: z.string() });
export const subscriptionList = items(
  z.object({ user: subscriber, subscription: subscriptionView, followedDevices: z.number().int() }),
);
export const subscriptionDetail = z.object({
  user: subscriber,
  subscription: subscriptionView,
  devices: z.array(deviceItem),
  history: z.array(z.object({ change: z.enum(SubscriptionChange), method: z.string(), createdAt: timestamp })),
});
export const subscriptionUpdated = z.object({ subscription: subscriptionView });
export const reportPreview = z.object({
  period: z.string(),
  devices: z.number().int(),
  pdfBytes: z.number().int(),
  image: z.string().startsWith('data:image/png;base64,'),
});

// --- dead letters (admin)
const deadLetter = z.object({
  seq: z.number().int().meta({ description: 'the stream sequence: its id for replay and discard' }),
  subject: z.string(),
  payload: z.unknown(),
  reason: z.string(),
  deliveryCount: z.number().int(),
  deadAt: z.date(),
});
export const deadLetterList = z.object({
  items: z.array(deadLetter),
  depth: z.record(z.string(), z.number().int()).meta({ description: 'dead letters waiting per subject' }),
});
export const deadLetterReplayed = z.object({ seq: z.number().int(), subject: z.string(), msgId: z.string() });
export const deadLetterDiscarded = z.object({ seq: z.number().int(), subject: z.string() });
export const deadLetterActions = items(
  z.object({
    action: z.enum(['replay', 'discard']),
    stream: z.string(),
    streamSeq: z.number().int(),
    subject: z.string(),
    reason: z.string(),
    actor: z.string(),
    msgId: z.string().nullable(),
    createdAt: z.date(),
  }),
);
