// The acquisition domain: the receivers registry (and, as they move here, acquisition tasks and
// measurements). Apps change these tables only through this package.
export { isReceiverError, ReceiverError, type ReceiverErrorCode } from './receiver-errors';
export {
  KIND_DEFAULTS,
  PASSWORD_REF,
  RECEIVER_ID,
  RECEIVER_KINDS,
  type ReceiverCreate,
  type ReceiverKind,
  type ReceiverPatch,
  receiverCreate,
  receiverPatch,
} from './receiver-fields';
export {
  type CaptureTarget,
  createReceiver,
  deleteReceiver,
  getReceiver,
  listEnabledReceivers,
  listReceivers,
  type ReceiverStatus,
  type ReceiverSummary,
  type ReceiverView,
  receiversForCapture,
  recordReceiverContact,
  updateReceiver,
} from './receiver-registry';
export { parseReceiverList, seedReceivers } from './receiver-seed';
export { type CancelOutcome, cancelTask } from './task-cancel';
