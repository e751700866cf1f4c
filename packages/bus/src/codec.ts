import { InvalidPayloadError, type Subject, validatePayload } from '@pulse/messages';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePayload<S extends Subject>(subject: S, payload: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(validatePayload(subject, payload)));
}

/** Raw bytes -> JSON, or InvalidPayloadError: a message that isn't JSON can't become valid by retrying. */
export function decodeJson(subject: string, data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    throw new InvalidPayloadError(subject, 'not JSON');
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
