import type { Storage } from '@pulse/storage';

/** Removes every object and incomplete upload of a test bucket: RGW's memstore gives the RAM back. */
export async function emptyBucket(storage: Storage, bucket: string): Promise<void> {
  for await (const upload of storage.listMultipartUploads(bucket)) {
    await storage.abortMultipartUpload(bucket, upload.key, upload.uploadId);
  }
  const keys: string[] = [];
  for await (const object of storage.list(bucket)) keys.push(object.key);
  for (let i = 0; i < keys.length; i += 1000) await storage.deleteMany(bucket, keys.slice(i, i + 1000));
}
