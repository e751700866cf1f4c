import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './app-process';
import { httpStatus } from './wait';
import { waitFor } from '@pulse/testing';
import { sleep } from '@pulse/runtime';

const run = promisify(execFile);
const SHARED_RGW_DIR = '/tmp/pulse-rgw';

export interface OwnRgwOptions {
  dir?: string;
  port?: number;
  monPort?: number;
}

/**
 * A private Ceph RGW for S3-outage scenarios, so stopping S3 never disturbs the shared instance other
 * test runs use. An outage stops only the gateway daemon (monitor and memstore OSD keep running, so
 * buckets and objects survive, as they would behind a real S3 endpoint that goes away and comes back).
 */
export interface OwnRgw {
  /** S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION, S3_FORCE_PATH_STYLE, STORAGE_BACKEND. */
  readonly env: Record<string, string>;
  readonly secretKey: string;
  /** Stops the gateway (SIGTERM to its PID, SIGKILL after 10 s): S3 requests are refused. */
  stopGateway(): Promise<void>;
  /** Starts the gateway again on the same port and waits until S3 answers. */
  startGateway(): Promise<void>;
  /** Stops every daemon of this instance and removes its directory. */
  destroy(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

export async function startOwnRgw(options: OwnRgwOptions = {}): Promise<OwnRgw> {
  const dir = (options.dir ?? '/tmp/pulse-rgw-rel').replace(/\/+$/, '');
  if (dir === SHARED_RGW_DIR) throw new Error('refusing to manage the shared RGW instance');
  const port = options.port ?? 7490;
  const monPort = options.monPort ?? 3310;
  const scriptEnv = { ...process.env, RGW_DIR: dir, RGW_PORT: String(port), RGW_MON_PORT: String(monPort) };
  const conf = path.join(dir, 'ceph.conf');
  const pidFile = path.join(dir, 'rgw.pid');
  const endpoint = `http://127.0.0.1:${port}`;

  const { stdout } = await run('bash', [path.join(REPO_ROOT, 'scripts/s3/start-rgw.sh')], {
    env: scriptEnv,
    timeout: 180_000,
  });
  const env: Record<string, string> = { STORAGE_BACKEND: 's3' };
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }

  /** The gateway's PID, only if it is still the radosgw started with this instance's ceph.conf. */
  const gatewayPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmdline.includes(conf) && pidAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    env,
    secretKey: env.S3_SECRET_KEY ?? '',
    async stopGateway() {
      const pid = gatewayPid();
      if (!pid) return;
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
      if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitFor(async () => !pidAlive(pid) && (await httpStatus(endpoint, 1000)) === 0, {
        timeoutMs: 10_000,
        what: 'RGW gateway to stop answering',
      });
    },
    async startGateway() {
      if (!gatewayPid()) {
        const out = openSync(path.join(dir, 'log', 'rgw.out'), 'a');
        // Same launch as start-rgw.sh: the inner shell records its PID and execs the daemon, so
        // stop-rgw.sh (which checks PID file + ceph.conf) can still stop it at the end.
        const child = spawn(
          'setsid',
          [
            'bash',
            '-c',
            'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"',
            pidFile,
            'radosgw',
            '-c',
            conf,
            '-f',
            '-n',
            'client.rgw.pulse',
          ],
          { stdio: ['ignore', out, out], detached: true },
        );
        child.unref();
      }
      await waitFor(async () => (await httpStatus(endpoint, 1000)) === 200, {
        timeoutMs: 60_000,
        what: 'RGW gateway to answer again',
      });
    },
    async destroy() {
      await run('bash', [path.join(REPO_ROOT, 'scripts/s3/stop-rgw.sh')], { env: scriptEnv, timeout: 120_000 });
    },
  };
}
