export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Nak delay for the nth failed delivery: base, 2×base, 4×base … capped. */
export function exponentialBackoff({ baseMs, maxMs }: BackoffOptions): (deliveryCount: number) => number {
  return (deliveryCount) => Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
}

export const defaultBackoff = exponentialBackoff({ baseMs: 1000, maxMs: 60_000 });
