// The report_deliveries table, one row per follower and period, and every change to it: this folder is
// the only code that writes it. The scheduler and administrators create and reset rows (requests.ts), the
// report-worker claims a row and records how the sending ended (claim.ts), and the bounce mailbox records
// bounces that come back later (late-bounce.ts). One place, so a status or a transition is added once,
// and the exactly-once claim can't be bypassed by a write somewhere else.
export { readReportBounceTag, reportBounceTag } from './bounce-tag';
export {
  type ClaimResult,
  claimDelivery,
  type DeliveryKey,
  type DeliveryRow,
  markBounced,
  markFailed,
  markGivenUp,
  markNoticeSent,
  markSent,
  markSkipped,
  type SentRecord,
} from './claim';
export { type LateBounceOutcome, recordLateBounce } from './late-bounce';
export {
  type DueRequest,
  type ManualReportRequest,
  requestDueReports,
  requestManualReports,
  requestResend,
  type ResendResult,
} from './requests';
