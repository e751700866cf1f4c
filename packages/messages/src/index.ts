// The catalogue of every message Pulse sends: subject → zod schema. A leaf package, so that both the bus
// (publish/consume) and the db's outbox (enqueue) check a payload against the same schema.
export { InvalidPayloadError } from './errors';
export { type Payload, SUBJECTS, type Subject } from './subjects';
export { isSubject, validatePayload } from './validate';
