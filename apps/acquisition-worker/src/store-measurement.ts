import { createHash } from 'node:crypto';
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
import type { ReceiverSource } from './sources/receiver-source';
import { type AcquisitionTask, type Counters, type StoredMeasurement, saveMeasurement } from './task-store';

export interface MeasurementDeps {
  db: Db;
  storage: Storage;
  source: ReceiverSource;
  logger: Logger;
  /** config `s3.buckets.rawIq` */
  bucket: string;
}

export interface MeasurementRequest {
  task: AcquisitionTask;
  receiverId: string;
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
): Promise<{ measurement: StoredMeasurement; counters: Counters }> {
  const { task, receiverId, signal } = req;
  const capture = await deps.source.acquire({
    taskId: task.id,
    receiverId,
    frequencyHz: task.frequencyHz,
    sampleRate: task.sampleRate,
    sampleCount: req.sampleCount,
    durationMs: task.durationMs,
    signal,
  });
  if (capture.samples.length !== req.sampleCount * 2) {
    throw new Error(`receiver returned ${capture.samples.length / 2} samples, expected ${req.sampleCount}`);
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
    source: deps.source.name,
    frequencyHz: task.frequencyHz,
    sampleRate: task.sampleRate,
    sampleCount: req.sampleCount,
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

  const saved = await saveMeasurement(deps.db, {
    task,
    receiverId,
    sampleCount: req.sampleCount,
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
  return saved;
}
