import { cachedFor } from './cached';

/**
 * What a check found: a boolean, or `ok` with detail (endpoint, bucket names) that only the ops
 * listener shows — internal names are nobody else's business.
 */
export type CheckOutcome = boolean | { ok: boolean; detail?: Record<string, unknown> };

/** A readiness check: throwing or outlasting the timeout counts as not ready. */
export type ReadinessCheck = () => Promise<CheckOutcome>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
  failed: string[];
  /** Per check, what it returned besides ok (ops listener only). */
  detail: Record<string, Record<string, unknown>>;
}

/** One readiness verdict per process, shared by every listener that serves it. */
export interface ReadinessProbe {
  report(): Promise<ReadinessReport>;
}

export interface ReadinessProbeOptions {
  /** Per-check budget, so one hung dependency fails the probe instead of hanging it (default 2 s). */
  timeoutMs?: number;
  /** How long a verdict is served again (default 3 s): a burst of probes runs the checks once. */
  cacheMs?: number;
}

async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number): Promise<ReadinessReport> {
  const outcomes = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckOutcome>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const outcome = await Promise.race([check().catch((): CheckOutcome => false), timeout]);
      clearTimeout(timer);
      return [name, typeof outcome === 'boolean' ? { ok: outcome } : outcome] as const;
    }),
  );
  const report: ReadinessReport = { ready: true, checks: {}, failed: [], detail: {} };
  for (const [name, { ok, detail }] of outcomes) {
    report.checks[name] = ok;
    if (!ok) report.failed.push(name);
    if (detail) report.detail[name] = detail;
  }
  report.ready = report.failed.length === 0;
  return report;
}

export function readinessProbe(
  checks: Record<string, ReadinessCheck>,
  { timeoutMs = 2000, cacheMs = 3000 }: ReadinessProbeOptions = {},
): ReadinessProbe {
  return { report: cachedFor(cacheMs, () => runChecks(checks, timeoutMs)) };
}
