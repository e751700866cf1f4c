/**
 * The tag a report email carries for bounces that arrive later (`@pulse/mail`'s `bounceTag`):
 * `<delivery id>.<resend count>`. The resend count keeps a late bounce of an earlier sending from
 * marking a resend (which may have gone to a corrected address) as bounced. The delivery id is a random
 * UUID that appears nowhere else in the email, so a forged bounce can name only a delivery the forger
 * received; that needs no signature.
 */
export const reportBounceTag = (delivery: { id: string; resendCount: number }) =>
  `${delivery.id}.${delivery.resendCount}`;

const TAG = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,6})$/i;

/** The delivery a bounce tag names, or undefined for anything else (another sender's tag, garbage). */
export function readReportBounceTag(tag: string): { deliveryId: string; resendCount: number } | undefined {
  const m = TAG.exec(tag.trim());
  return m?.[1] && m[2] ? { deliveryId: m[1].toLowerCase(), resendCount: Number(m[2]) } : undefined;
}
