import { Prisma } from './generated/prisma/client';

/**
 * True for a unique-constraint violation, from Prisma (P2002) or raw SQL (23505): the signal that an
 * idempotent insert lost a race or a redelivered message was already handled.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === 'P2002';
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

// SQLSTATE class 08 (connection exception) and 57P0x (the server shut the session down, e.g.
// pg_terminate_backend or a restart); Prisma's "can't reach / connection closed / pool timeout", and its
// P2028: a transaction that got no connection in time or outlived its timeout — the pool is busy, not
// broken, and the same request shortly after succeeds.
const UNAVAILABLE_SQLSTATE = /^(08\d{3}|57P0[1-3])$/;
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
// A raw query ($queryRaw/$executeRaw) through the pg driver adapter fails with P2010 whatever the cause;
// the cause is in meta.driverAdapterError.cause: one of these kinds, or 'postgres' with its SQLSTATE.
const UNAVAILABLE_ADAPTER = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/**
 * True when the database was unreachable or dropped the connection: a transient outage the caller should
 * report as "try again" (503), not as a bug. The pool replaces the connection for the next query.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
  };
  const adapterCause = e.meta?.driverAdapterError?.cause;
  if (typeof adapterCause?.kind === 'string' && UNAVAILABLE_ADAPTER.has(adapterCause.kind)) return true;
  if (adapterCause?.kind === 'postgres' && typeof adapterCause.code === 'string')
    return UNAVAILABLE_SQLSTATE.test(adapterCause.code);
  if (typeof e.code === 'string') {
    if (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_PRISMA.has(e.code) || UNAVAILABLE_NODE.has(e.code))
      return true;
  }
  if (
    typeof e.message === 'string' &&
    /Connection terminated|terminating connection|timeout exceeded when trying to connect|connection error and is not queryable/i.test(
      e.message,
    )
  ) {
    return true;
  }
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}
