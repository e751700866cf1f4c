import { createHash } from 'node:crypto';
import {
  type CaptureTarget,
  type ClaimedTask,
  type Counters,
  type ReceiverKind,
  recordReceiverContact,
  type StoredMeasurement,
  saveMeasurement,
} from '@pulse/acquisitions';
import type { Db } from '@pulse/db';
import type { Logger } from '@pulse/logger';
import { measurementObjectKeys, type Storage } from '@pulse/storage';
import {
  METADATA_CONTENT_TYPE,
  type MeasurementFacts,
  measurementFilenames,
  metadataDocument,
  NPY_CONTENT_TYPE,
  objectMetadata,
} from './measurement-files';
import { encodeComplex64Npy } from './npy';
import { estimateSnrDb } from './snr';
import { ReceiverFailure, samplesFor } from './sources/capture-session';
import type { Capture, ReceiverSource } from './sources/receiver-source';

export interface MeasurementDeps {
  db: Db;
  storage: Storage;
  /** Synthetic receivers' source. */
  source: ReceiverSource;
  /** The network receivers' sources, by kind (main.ts: KiwiSDR and rtl_tcp). */
  sources?: Partial<Record<Exclude<ReceiverKind, 'synthetic'>, ReceiverSource>>;
  /** Resolves a registry password reference (`env:NAME`); undefined when it is not set. */
  secret?: (ref: string) => string | undefined;
  logger: Logger;
  /** config `s3.buckets.rawIq` */
  bucket: string;
}

export interface MeasurementRequest {
  task: ClaimedTask;
  receiverId: string;
  /** The registry entry (kind, address). */
  target: CaptureTarget;
  sampleCount: number;
  signal: AbortSignal;
}

/**
 * One receiver, start to finish: capture, encode as .npy, upload the .npy and its metadata side by
 * side, record both files and the measurement, and count it done. Throws on any failure; the caller
 * counts it as failed for this receiver only.
 */
export async function storeMeasurement(
  deps: MeasurementDeps,
  req: MeasurementRequest,
): Promise<{ measurement: StoredMeasurement; counters: Counters; capture: Capture }> {
  const { task, receiverId, signal, target } = req;
  const { capture, seen } = await captureFrom(deps, req);
  const sampleCount = capture.samples.length / 2;
  // The count follows from the duration at the rate the receiver delivered (its own, for a KiwiSDR).
  if (sampleCount !== samplesFor(task.durationMs, capture.sampleRate)) {
    throw new Error(
      `receiver returned ${sampleCount} samples, expected ${samplesFor(task.durationMs, capture.sampleRate)}`,
    );
  }
  // Encoding and hashing are synchronous, milliseconds per receiver: a turn of the event loop first lets
  // the receivers ahead of this one put their requests on the wire instead of waiting for every hash.
  await new Promise((resolve) => setImmediate(resolve));
  // Before encoding: on a big-endian host encoding byte-swaps the samples in place.
  const snrDbEstimate = estimateSnrDb(capture.samples);
  const npy = encodeComplex64Npy(capture.samples);
  // Hashed once here, then handed to storage, which would otherwise hash the body again. In one go:
  // receivers that finish capturing first start uploading first, instead of all hashing in turns.
  const npySha256 = createHash('sha256').update(npy).digest('hex');
  const facts: MeasurementFacts = {
    taskId: task.id,
    receiverId,
    source: target.kind,
    frequencyHz: task.frequencyHz,
    sampleRate: capture.sampleRate,
    requestedSampleRate: task.sampleRate,
    sampleCount,
    setupMs: Math.round(capture.setupMs),
    captureMs: Math.round(capture.captureMs),
    reported: capture.reported ?? {},
    snrDbEstimate,
    snrDbReported: capture.snrDb ?? null,
    startedAt: capture.startedAt,
    endedAt: capture.endedAt,
    npySize: npy.length,
    // Needed before the upload: it goes into the object's own metadata headers.
    npySha256,
  };
  const keys = measurementObjectKeys(task.id, receiverId);
  const names = measurementFilenames(receiverId);
  const headers = objectMetadata(facts);

  const metadataBody = Buffer.from(`${JSON.stringify(metadataDocument(facts), null, 2)}\n`);
  const [npyPut, metadataPut] = await Promise.allSettled([
    deps.storage.put(deps.bucket, keys.npy, npy, {
      contentType: NPY_CONTENT_TYPE,
      metadata: headers,
      sha256: npySha256,
      signal,
    }),
    deps.storage.put(deps.bucket, keys.metadata, metadataBody, {
      contentType: METADATA_CONTENT_TYPE,
      metadata: headers,
      signal,
    }),
  ]);
  if (npyPut.status === 'rejected' || metadataPut.status === 'rejected') {
    // The pair is stored together or not at all: no .npy without its metadata (or the reverse)
    // stays behind without rows.
    if (npyPut.status === 'fulfilled') await deps.storage.deleteQuietly(deps.bucket, keys.npy);
    if (metadataPut.status === 'fulfilled') await deps.storage.deleteQuietly(deps.bucket, keys.metadata);
    throw [npyPut, metadataPut].find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  const metadataSha256 = metadataPut.value.sha256;
  if (signal.aborted) {
    // Cancelled while uploading: the pair is not recorded, so it must not stay behind either.
    await deps.storage.deleteQuietly(deps.bucket, keys.npy);
    await deps.storage.deleteQuietly(deps.bucket, keys.metadata);
    signal.throwIfAborted();
  }

  const saved = await saveMeasurement(deps.db, {
    task,
    receiverId,
    sampleCount,
    snrDb: facts.snrDbEstimate,
    startedAt: capture.startedAt,
    endedAt: capture.endedAt,
    npy: {
      bucket: deps.bucket,
      key: keys.npy,
      contentType: NPY_CONTENT_TYPE,
      size: npy.length,
      sha256: facts.npySha256,
      filename: names.npy,
    },
    metadata: {
      bucket: deps.bucket,
      key: keys.metadata,
      contentType: METADATA_CONTENT_TYPE,
      size: metadataBody.length,
      sha256: metadataSha256,
      filename: names.metadata,
    },
  });
  deps.logger.info(
    {
      event: 'file_created',
      taskId: task.id,
      receiverId,
      fileId: saved.measurement.npyFileId,
      size: npy.length,
      snrDb: facts.snrDbEstimate,
    },
    'measurement stored',
  );
  await seen.catch(() => undefined);
  return { ...saved, capture };
}

/** Connects to the receiver the registry names and captures; the outcome is its last contact. */
async function captureFrom(
  deps: MeasurementDeps,
  req: MeasurementRequest,
): Promise<{ capture: Capture; seen: Promise<void> }> {
  const { task, receiverId, target, signal } = req;
  // What every source is asked, whatever its kind.
  const wanted = {
    taskId: task.id,
    receiverId,
    frequencyHz: task.frequencyHz,
    sampleRate: task.sampleRate,
    sampleCount: req.sampleCount,
    durationMs: task.durationMs,
    signal,
  };
  if (target.kind === 'synthetic') return { capture: await deps.source.acquire(wanted), seen: Promise.resolve() };
  const source = deps.sources?.[target.kind];
  if (!source) throw new ReceiverFailure(`no ${target.kind} source on this worker`);
  let password: string | undefined;
  if (target.passwordRef) {
    password = deps.secret?.(target.passwordRef);
    if (password === undefined)
      throw new ReceiverFailure(`the password reference ${target.passwordRef} is not set on the worker`);
  }
  try {
    const capture = await source.acquire({
      ...wanted,
      maxSampleRate: target.maxSampleRate,
      address: { host: target.host!, port: target.port!, password },
    });
    // Recorded while the capture is being stored, not before: it is a round trip on the task's tail.
    const seen = recordReceiverContact(deps.db, receiverId, { ok: true });
    seen.catch(() => undefined); // awaited by the caller; a failure there only means a stale status
    return { capture, seen };
  } catch (err) {
    // A cancelled or stopped task says nothing about the receiver.
    if (!signal.aborted) {
      const error = err instanceof Error ? err.message : String(err);
      await recordReceiverContact(deps.db, receiverId, { ok: false, error }).catch(() => undefined);
    }
    throw err;
  }
}
