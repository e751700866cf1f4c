import { cachedFor } from './cached';

/**
 * What a check found: a boolean, or `ok` with detail (endpoint, bucket names) that only the ops
 * listener shows — internal names are nobody else's business.
 */
export type CheckOutcome<D extends object = Record<string, unknown>> = boolean | { ok: boolean; detail?: D };

/** A readiness check: throwing or outlasting the timeout counts as not ready. */
export type ReadinessCheck<D extends object = Record<string, unknown>> = () => Promise<CheckOutcome<D>>;

/** Named checks, each with the type of its own detail. */
export type ReadinessChecks = Record<string, ReadinessCheck<object>>;
type DetailOf<C> = C extends ReadinessCheck<infer D> ? D : never;

export interface ReadinessReport<C extends ReadinessChecks = ReadinessChecks> {
  ready: boolean;
  checks: Record<keyof C & string, boolean>;
  failed: string[];
  /** Per check, what it returned besides ok (ops listener only), typed by the check that returned it. */
  detail: { [K in keyof C]?: DetailOf<C[K]> };
}

/** One readiness verdict per process, shared by every listener that serves it. */
export interface ReadinessProbe<C extends ReadinessChecks = ReadinessChecks> {
  report(): Promise<ReadinessReport<C>>;
}

export interface ReadinessProbeOptions {
  /** Per-check budget, so one hung dependency fails the probe instead of hanging it (default 2 s). */
  timeoutMs?: number;
  /** How long a verdict is served again (default 3 s): a burst of probes runs the checks once. */
  cacheMs?: number;
}

async function runChecks<C extends ReadinessChecks>(checks: C, timeoutMs: number): Promise<ReadinessReport<C>> {
  const outcomes = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckOutcome<object>>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const outcome = await Promise.race([check().catch((): CheckOutcome<object> => false), timeout]);
      clearTimeout(timer);
      return [name, typeof outcome === 'boolean' ? { ok: outcome } : outcome] as const;
    }),
  );
  const checked: Record<string, boolean> = {};
  const details: Record<string, object> = {};
  const failed: string[] = [];
  for (const [name, { ok, detail }] of outcomes) {
    checked[name] = ok;
    if (!ok) failed.push(name);
    if (detail) details[name] = detail;
  }
  // Built by name from `checks` itself, so each detail is the one its check returned.
  return { ready: failed.length === 0, checks: checked, failed, detail: details } as ReadinessReport<C>;
}

export function readinessProbe<C extends ReadinessChecks>(
  checks: C,
  { timeoutMs = 2000, cacheMs = 3000 }: ReadinessProbeOptions = {},
): ReadinessProbe<C> {
  return { report: cachedFor(cacheMs, () => runChecks(checks, timeoutMs)) };
}
