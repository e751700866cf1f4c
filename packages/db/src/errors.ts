import { Prisma } from './generated/prisma/client';

/**
 * True for a unique-constraint violation, from Prisma (P2002) or raw SQL (23505): the signal that an
 * idempotent insert lost a race or a redelivered message was already handled.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === 'P2002';
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
