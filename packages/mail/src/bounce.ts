import { simpleParser } from 'mailparser';

/**
 * Header Pulse puts on a message that may bounce later, and that a bounce quotes back in the returned
 * headers (RFC 3462 `text/rfc822-headers`, or the whole message): the fallback for relays that accept
 * the message without the DSN extension, so the envelope id (RFC 3461 ENVID) is lost.
 */
export const BOUNCE_TAG_HEADER = 'X-Pulse-Bounce-Tag';

/** One recipient the report says the message will never reach. */
export interface FailedRecipient {
  /** `Final-Recipient`'s address, e.g. `nobody@example.org`. */
  recipient: string;
  /** RFC 3463 status, always `5.x.x` here, e.g. `5.1.1`. */
  status: string;
  /** The remote server's words (`Diagnostic-Code`), when the report has them. */
  diagnostic?: string;
}

/** A delivery status notification (RFC 3464) that reports a permanent failure. */
export interface BounceReport {
  /** The message's tag: its DSN envelope id, else the tag header quoted in the returned headers. */
  tag: string | undefined;
  failed: FailedRecipient[];
}

// A DSN is a few KiB plus the returned headers; a report whose delivery-status part is larger is not one.
const MAX_STATUS_BYTES = 64 * 1024;

/**
 * Reads a bounce message (RFC 3464 `multipart/report; report-type=delivery-status`). Undefined when the
 * message is not a delivery report, or reports no permanent failure (a `delayed` notice, a 4.x.x status,
 * a success report): only `Action: failed` with a 5.x.x status means the address is gone for good.
 * Auto-replies and human answers are not bounces and are never read as one.
 */
export async function readBounce(source: Buffer): Promise<BounceReport | undefined> {
  const message = await simpleParser(source, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  const type = message.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value !== 'multipart/report' || type.params?.['report-type']?.toLowerCase() !== 'delivery-status') {
    return undefined;
  }
  const status = message.attachments.find((a) => a.contentType === 'message/delivery-status');
  if (!status || status.content.length > MAX_STATUS_BYTES) return undefined;
  const [perMessage, ...perRecipient] = await fieldGroups(status.content.toString('utf8'));
  const failed: FailedRecipient[] = [];
  for (const fields of perRecipient) {
    const code = /\b(\d\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1];
    if (fields.get('action')?.toLowerCase() !== 'failed' || !code?.startsWith('5.')) continue;
    failed.push({
      recipient: addressOf(fields.get('final-recipient') ?? fields.get('original-recipient') ?? ''),
      status: code,
      diagnostic: fields.get('diagnostic-code')?.replace(/\s+/g, ' ').slice(0, 500),
    });
  }
  if (failed.length === 0) return undefined;
  return { tag: perMessage?.get('original-envelope-id') ?? (await returnedTag(message.attachments)), failed };
}

/**
 * The delivery-status body: groups of header-syntax fields separated by blank lines, the first about the
 * message, then one per recipient. Each group is read by the same MIME parser as a header block, so
 * folding and encoded words are handled as in any header.
 */
async function fieldGroups(body: string): Promise<Array<Map<string, string>>> {
  const groups = body
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((g) => g.trim() !== '');
  return Promise.all(
    groups.map(async (group) => {
      const { headers } = await simpleParser(Buffer.from(`${group.trim()}\n\n`));
      const fields = new Map<string, string>();
      for (const [name, value] of headers) if (typeof value === 'string') fields.set(name, value.trim());
      return fields;
    }),
  );
}

/** `rfc822; nobody@example.org` → `nobody@example.org`. */
const addressOf = (typed: string) => typed.replace(/^[^;]*;\s*/, '').trim();

/** The tag header in the returned headers or message, for a DSN whose relay dropped the envelope id. */
async function returnedTag(parts: Array<{ contentType: string; content: Buffer }>): Promise<string | undefined> {
  const returned = parts.find((a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822');
  if (!returned) return undefined;
  const { headers } = await simpleParser(returned.content);
  const tag = headers.get(BOUNCE_TAG_HEADER.toLowerCase());
  return typeof tag === 'string' ? tag.trim() : undefined;
}
