import { PULSE_KEY_PREFIXES } from '@pulse/storage';
import { type CleanupDeps, configuredBuckets } from './deps';
import type { CleanupReport } from './report';

/**
 * Aborts multipart uploads started longer ago than MULTIPART_MAX_AGE_HOURS: a crashed uploader
 * leaves its parts behind, invisible in listings but stored (and billed) until someone aborts them.
 * The lifecycle rule does the same on servers that support it; this covers the ones that don't.
 */
export async function abortStaleUploads(deps: CleanupDeps, report: CleanupReport): Promise<void> {
  const cutoff = deps.now().getTime() - deps.config.app.multipartMaxAgeMs;
  for (const bucket of configuredBuckets(deps.config)) {
    if (deps.signal?.aborted) return;
    const tally = report.tally(bucket);
    try {
      // Other software's uploads in a shared bucket are theirs to abort.
      for (const prefix of PULSE_KEY_PREFIXES)
        for await (const upload of deps.storage.listMultipartUploads(bucket, prefix)) {
          // No start time means we can't tell its age: leave it to the lifecycle rule.
          if (!upload.initiated || upload.initiated.getTime() >= cutoff) continue;
          report.sample(bucket, 'uploads', upload.key);
          if (deps.dryRun) {
            tally.abortedUploads += 1;
            continue;
          }
          try {
            await deps.storage.abortMultipartUpload(bucket, upload.key, upload.uploadId);
            tally.abortedUploads += 1;
          } catch (err) {
            report.fail('multipart', bucket, err, 1);
          }
        }
    } catch (err) {
      report.fail('multipart', bucket, err);
    }
  }
}
