import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { httpStatus, within } from './wait';
import { waitFor } from '@pulse/testing';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export type AppName = 'ui-api' | 'export-worker' | 'report-worker' | 'acquisition-worker' | 'cleanup-worker';

export interface AppProcessOptions {
  app: AppName;
  /** The app's whole environment (the parent's is not inherited: no stray S3_* or NODE_OPTIONS). */
  env: Record<string, string>;
  /** Answers 200 when the app is ready (ui-api `/health/ready`, a worker's ops `/health/ready`). */
  readyUrl: string;
  /** Distinguishes replicas of the same app in log prefixes and reports. */
  label?: string;
}

/** One real app running as a child process; every signal goes to its PID only. */
export interface AppProcess {
  readonly label: string;
  readonly readyUrl: string;
  /** PID of the current incarnation (changes on restart). */
  readonly pid: number;
  /** Every stdout/stderr line of every incarnation, for assertions and the secrets scan. */
  readonly lines: string[];
  /** Parsed JSON log lines with `event === name`. */
  events(name: string): Record<string, unknown>[];
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: the process gets no chance to ack, nak or clean up. */
  kill(): Promise<void>;
  /** Starts a new incarnation with the same environment and waits until it is ready. */
  restart(): Promise<void>;
  isRunning(): boolean;
  /** Resident set size in bytes from /proc, or 0 when the process is gone. */
  rssBytes(): number;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) if (process.env[k]) out[k] = process.env[k]!;
  return out;
}

export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export async function startApp(options: AppProcessOptions): Promise<AppProcess> {
  const label = options.label ?? options.app;
  const lines: string[] = [];
  let child!: ChildProcess;
  let exited!: Promise<number | null>;
  let running = false;

  const launch = () => {
    child = spawn('node', ['--import', 'tsx', `apps/${options.app}/src/main.ts`], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = true;
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        running = false;
        resolve(code);
      });
    });
  };

  const tail = () => lines.slice(-30).join('\n');

  const handle: AppProcess = {
    label,
    readyUrl: options.readyUrl,
    get pid() {
      return child.pid ?? -1;
    },
    lines,
    events(name) {
      const out: Record<string, unknown>[] = [];
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.event === name) out.push(parsed);
        } catch {
          // a partial line split across chunks; the scan still sees its text
        }
      }
      return out;
    },
    async waitReady(timeoutMs = 60_000) {
      await waitFor(
        async () => {
          if (!running) throw new Error(`${label} exited during start:\n${tail()}`);
          return (await httpStatus(options.readyUrl)) === 200;
        },
        { timeoutMs, intervalMs: 250, what: `${label} ready at ${options.readyUrl}` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- ${label} log tail ---\n${tail()}`);
      });
    },
    async stop(graceMs = 15_000) {
      if (!running) return exited;
      child.kill('SIGTERM');
      const code = await within(exited, graceMs);
      if (code !== 'timeout') return code;
      child.kill('SIGKILL');
      return exited;
    },
    async kill() {
      if (!running) return;
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (running) await handle.stop();
      launch();
      await handle.waitReady();
    },
    isRunning: () => running,
    rssBytes: () => (running && child.pid ? rssOf(child.pid) : 0),
  };

  launch();
  await handle.waitReady();
  return handle;
}
