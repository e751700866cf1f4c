import { errors } from '../http/errors';

/** Keyset position in a newest-first list: stable while rows are added, unlike an offset. */
export interface ListPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(pos: ListPosition): string {
  return Buffer.from(JSON.stringify([pos.createdAt.toISOString(), pos.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): ListPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(String(at));
    if (typeof at === 'string' && typeof id === 'string' && UUID.test(id) && !Number.isNaN(createdAt.getTime())) {
      return { createdAt, id };
    }
  } catch {
    // fall through: any undecodable cursor is the same client error
  }
  throw errors.badRequest('invalid_cursor', 'cursor is not valid; start again without it');
}
