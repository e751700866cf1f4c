// Shared by every benchmark: progress lines, RSS sampling, stats, a log file, and writing its section
// of BENCHMARKS.md (between markers, so re-running a benchmark replaces its own numbers only).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileDestination } from '@pulse/logger';
import { startRgw } from '@pulse/testing';

const FILE = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

export const progress = (bench: string, msg: string) => process.stdout.write(`[bench:${bench}] ${msg}\n`);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Samples a process's RSS (this one, or a child by pid via /proc) and keeps the peak. */
export function rssSampler(pid = process.pid, everyMs = 50) {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // the process has exited
    }
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Replaces (or appends) the `name` section of BENCHMARKS.md with `markdown`. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n\n_Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC._\n${end}`;
  const text = readFileSync(FILE, 'utf8');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}

/** S3 env for a benchmark: the caller's, or the running RGW's (started if needed), as the jest global setup does. */
export function rgwEnv(): Record<string, string> {
  return process.env.S3_ENDPOINT ? {} : startRgw();
}

/**
 * A log file in a fresh temp folder, written the way production writes stdout (asynchronously), so a
 * benchmark logs at the production level without paying for an in-memory capture.
 */
export function benchLogFile(name: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pulse-bench-${name}-`));
  const file = path.join(dir, `${name}.log`);
  const destination = fileDestination(file);
  return {
    destination,
    /** Every line written so far. */
    lines(): string[] {
      destination.flushSync();
      return readFileSync(file, 'utf8').split('\n');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a bench to its end and exits: a pool or socket left open must not keep a finished bench alive. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
