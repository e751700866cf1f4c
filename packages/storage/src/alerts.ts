import type { Logger } from '@pulse/logger';
import { scrubString } from '@pulse/logger';

/** `file_missing`: cleanup-worker found rows whose object is gone (reconciliation, not an S3 call). */
export type AlertEvent = 's3_upload_error' | 's3_presign_error' | 'file_missing';

export interface AlertInput {
  event: AlertEvent;
  bucket: string;
  code: string;
  message: string;
  /** Values that must never leave the process in an alert (object keys, for a start). */
  redact?: string[];
}

export interface Alerter {
  /** Fire and forget for callers; resolves once the webhook answered (or was skipped), never rejects. */
  notify(input: AlertInput): Promise<void>;
}

export interface AlerterOptions {
  webhookUrl: string | undefined;
  service: string;
  logger: Logger;
  /** At most one alert per event kind in this window, so an outage sends one message, not thousands. */
  minIntervalMs?: number;
  timeoutMs?: number;
}

const MAX_MESSAGE = 300;

/** Removes URLs, the given values and signature material, and bounds the length. */
export function scrubAlertMessage(message: string, redact: string[] = []): string {
  let out = message.replace(/\bhttps?:\/\/\S+/gi, '[url]');
  for (const value of redact) if (value) out = out.split(value).join('[redacted]');
  return scrubString(out).slice(0, MAX_MESSAGE);
}

export function createAlerter(options: AlerterOptions): Alerter {
  const { webhookUrl, service, logger, minIntervalMs = 60_000, timeoutMs = 5_000 } = options;
  const lastSent = new Map<AlertEvent, number>();

  return {
    async notify(input) {
      if (!webhookUrl) return;
      const now = Date.now();
      const last = lastSent.get(input.event);
      if (last !== undefined && now - last < minIntervalMs) return;
      lastSent.set(input.event, now);

      const payload = {
        service,
        event: input.event,
        bucket: input.bucket,
        code: input.code,
        message: scrubAlertMessage(input.message, input.redact),
        at: new Date(now).toISOString(),
      };
      try {
        const res = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
        logger.info({ event: 'alert_sent', alert: input.event, bucket: input.bucket, code: input.code }, 'alert sent');
      } catch (err) {
        // The webhook URL itself may carry a token: log only the failure's message, scrubbed.
        logger.warn(
          {
            event: 'alert_error',
            alert: input.event,
            error: scrubAlertMessage(String((err as Error)?.message ?? err)),
          },
          'alert webhook failed',
        );
      }
    },
  };
}
