// The acquisition domain: the receivers registry, acquisition tasks and their measurements. Apps change
// these tables only through this package.
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
export { type CancelOutcome, cancelTask, isCancelled } from './task-cancel';
export { type CreateTaskResult, createTask, type NewTask } from './task-create';
export { findOwnedTask, type ListTasksOptions, listMeasurements, listTasks } from './task-queries';
export type {
  AcquisitionResult,
  FinalState,
  FailedReceiver,
  ReceiverTiming,
  StoredMeasurement,
} from './task-result';
export {
  type ClaimedTask,
  type ClaimResult,
  type Counters,
  claimTask,
  countFailedReceiver,
  finishTask,
  type MeasurementRecord,
  markFailed,
  type StoredFile,
  saveMeasurement,
} from './task-work';
export { API_STATES, type ApiState, apiState } from './task-state';
