export { type AlertEvent, type AlertInput, type Alerter, type AlerterOptions, createAlerter } from './alerts';
export {
  contentDisposition,
  type DispositionType,
  stripDeceptiveChars,
} from './content-disposition';
export { type CreateStorageOptions, createStorage } from './create-storage';
export { isStorageError, STORAGE_ERRORS, StorageError, type StorageErrorCode } from './errors';
export { MAX_PRESIGN_EXPIRY_S } from './expiry';
export {
  LOCAL_STORAGE_ROUTE,
  type LocalSignatureCheck,
  type LocalSignedRequest,
  verifyLocalSignature,
} from './local/signing';
export { parseByteRange } from './local/range';
export {
  artifactObjectKey,
  uploadObjectKey,
  exportObjectKey,
  measurementObjectKeys,
  PULSE_PREFIXES,
  type PulsePrefix,
  reportObjectKey,
} from './object-keys';
export type { StorageMetrics } from './observe';
export type * from './types';
export {
  ARTIFACT_UPLOAD_RULES,
  PULSE_RULE_ID_PREFIX,
  type RetentionDays,
  type RetentionKind,
  retentionPlan,
  retentionRule,
} from './retention';
export { type StorageSetupOptions, type StorageSetupResult, setupStorage } from './setup';
export { assertPulseKey, isPulseKey, PULSE_KEY_PREFIXES } from './prefixes';
export { abortLeftoverUploads } from './leftover-uploads';
