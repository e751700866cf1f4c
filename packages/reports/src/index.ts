// The contract between ui-api and report-worker: how a report run is requested (outbox rows) and how
// an emailed report link is signed and checked. One definition, so the two apps can't drift apart.
export { type LinkOptions, REPORT_LINK_PURPOSE, REPORT_LINK_TTL_DAYS, reportLink } from './links';
export { type ManualReportRequest, requestManualReports, requestScheduledReports } from './requests';
