export { type BackoffOptions, defaultBackoff, exponentialBackoff } from './backoff';
export { type ConnectBusOptions, connectBus } from './bus';
export type { DeadLetterQueue, StoredDeadLetter } from './dead-letters';
export { type DynamicPublish, dynamicPublisher } from './dynamic-publisher';
export { InvalidPayloadError, type Payload, SUBJECTS, type Subject } from '@pulse/messages';
export {
  type Bus,
  type BusMetrics,
  type ConsumeOptions,
  type Consumer,
  type DeadLetter,
  type DeadLetterHandler,
  type MessageContext,
  PermanentError,
  type PublishOptions,
} from './types';
