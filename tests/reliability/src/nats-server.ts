import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { httpStatus, within } from './wait';
import { waitFor } from '@pulse/testing';

const NATS_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/**
 * A private JetStream server for scenarios that restart NATS: the machine's shared server on 4222 is
 * never touched. The store directory survives restarts, as a real server's disk would.
 */
export interface OwnNatsServer {
  readonly url: string;
  readonly pid: number;
  readonly lines: string[];
  /** SIGTERM (graceful: JetStream flushes its store); SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, not a shutdown. */
  kill(): Promise<void>;
  /** Starts again on the same port and store directory; resolves when JetStream answers /healthz. */
  start(): Promise<void>;
  /** Stops it and removes the store directory. */
  destroy(): Promise<void>;
}

export async function startOwnNatsServer(): Promise<OwnNatsServer> {
  const port = await freePort();
  const monitorPort = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), 'pulse-rel-nats-'));
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill(sig);
    if ((await within(exited, graceMs)) === 'timeout') {
      current.kill('SIGKILL');
      await exited;
    }
  };

  const server: OwnNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? -1;
    },
    lines,
    async start() {
      const proc = spawn(
        NATS_BIN,
        ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      proc.stdout?.on('data', collect);
      proc.stderr?.on('data', collect);
      exited = new Promise((resolve) => proc.once('exit', () => resolve()));
      await waitFor(
        async () => {
          if (proc.exitCode !== null) throw new Error(`nats-server exited: ${lines.slice(-5).join(' | ')}`);
          return (await httpStatus(`http://127.0.0.1:${monitorPort}/healthz`)) === 200;
        },
        { timeoutMs: 20_000, what: 'own nats-server /healthz' },
      );
    },
    stop: () => signal('SIGTERM', 10_000),
    kill: () => signal('SIGKILL', 10_000),
    async destroy() {
      await signal('SIGTERM', 10_000);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
