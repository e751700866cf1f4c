// The report domain shared by ui-api, report-worker and the operator commands: periods, subscriptions (the
// only code that touches report_subscriptions), deliveries (deliveries/: the only code that writes
// report_deliveries, from the scheduler's request to a late bounce), what a report contains (loaded from
// Postgres), and the signed links in report emails. One definition, so the two apps can't drift.
export { FollowerNotFoundError } from './errors';
export {
  findReportFile,
  type LinkOptions,
  type ReadReportLink,
  REPORT_LINK_PURPOSE,
  REPORT_LINK_TTL_DAYS,
  type ReportFileFormat,
  type ReportLinkScope,
  type ReadUnsubscribeToken,
  readReportLink,
  readUnsubscribeToken,
  reportLink,
  UNSUBSCRIBE_PURPOSE,
  unsubscribeLink,
  unsubscribeMailto,
  unsubscribeTokenInSubject,
} from './links';
export { type LoadReportDataOptions, loadReportData } from './load-report-data';
export { daysOf, type Frequency, frequencyOf, isPeriod, periodLabel, periodRange, previousPeriod } from './periods';
export type { DailyStats, DeviceReport, MetricReport, MetricStats, ReportData } from './report-data';
export * from './deliveries/index';
export {
  type ChangeMethod,
  DEFAULT_SUBSCRIPTION,
  getSubscription,
  isInactive,
  isTimeZone,
  listSubscriptions,
  nextDelivery,
  nextSlot,
  REPORT_FORMATS,
  type ReportFormats,
  resubscribe,
  type SubscriberSummary,
  type Subscription,
  SubscriptionError,
  type SubscriptionPatch,
  subscriptionHistory,
  subscriptionPatch,
  unsubscribe,
  updateSubscription,
} from './subscriptions';
