import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START_RGW = fileURLToPath(new URL('../../../scripts/s3/start-rgw.sh', import.meta.url));

/**
 * Runs `radosgw-admin` against the RGW instance the tests use (the same RGW_DIR as start-rgw.sh) and
 * returns its JSON output: users and keys for tests that rotate or restrict credentials.
 */
export function rgwAdmin(args: string[]): unknown {
  const dir = (process.env.RGW_DIR ?? '/tmp/pulse-rgw').replace(/\/+$/, '');
  const out = execFileSync('radosgw-admin', ['-c', `${dir}/ceph.conf`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.trim() ? JSON.parse(out) : null;
}

/**
 * Starts the project's Ceph RGW (idempotent: ~50 ms when it already runs) and returns the S3 env it
 * prints (`S3_ENDPOINT`, keys, region, path style). `settings` (RGW_DIR, RGW_STORE, ports) go on top of
 * the process environment. Throws if it cannot be started here.
 */
export function startRgw(settings: Record<string, string> = {}): Record<string, string> {
  const out = execFileSync('bash', [START_RGW], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...settings },
  });
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
