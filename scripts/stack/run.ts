// The local stack runner: the compose topology on a bare machine, one command.
//   up [--detach]       start everything (foreground: prefixed logs, Ctrl-C stops all)
//   down [--wipe|-v]    stop what `up --detach` started; keeps the data unless --wipe
//   status              what runs
// Postgres and NATS come from the environment (default 127.0.0.1); S3 is the stack's own Ceph RGW
// through scripts/s3/start-rgw.sh where it can be installed (BlueStore on a file under .stack/rgw, so
// objects survive restarts like the database rows that point at them), else the `local` filesystem
// backend (.stack/storage). The data — database, NATS stream, objects — stays across down/up;
// `down --wipe` removes all three.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRgw } from '@pulse/testing';
import { connect } from 'nats';
import pg from 'pg';
import { PORTS, parseDotEnv, stackEnv } from './env';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STATE = path.join(ROOT, '.stack');
const PIDS = path.join(STATE, 'pids.json');
/** The stack's RGW: persistent, on ports of its own, lifecycle on real days (not the tests' 10 s "days"). */
const RGW = {
  RGW_DIR: path.join(STATE, 'rgw'),
  RGW_STORE: 'bluestore',
  RGW_PORT: String(PORTS.s3),
  RGW_MON_PORT: String(PORTS.s3Mon),
  RGW_LC_DEBUG_INTERVAL: '',
};
const COLORS = [36, 33, 35, 32, 34, 91, 96];

interface Service {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  /** URL that answers 200 when the service is ready. */
  ready?: string;
}

const say = (msg: string) => process.stdout.write(`stack: ${msg}\n`);

function services(env: Record<string, string>): Service[] {
  const tsx = (file: string) => ['node', '--import', 'tsx', file];
  const ops = (port: number) => ({ OPS_HTTP_HOST: '127.0.0.1', OPS_HTTP_PORT: String(port) });
  return [
    {
      name: 'mail',
      cmd: tsx('scripts/stack/mail-capture.ts'),
      env: { MAIL_SMTP_PORT: String(PORTS.mailSmtp), MAIL_HTTP_PORT: String(PORTS.mailHttp) },
      ready: `http://127.0.0.1:${PORTS.mailHttp}/api/v1/messages`,
    },
    {
      name: 'ui-api',
      cmd: tsx('apps/ui-api/src/main.ts'),
      env: ops(PORTS.uiOps),
      ready: `${env.PUBLIC_BASE_URL}/health/ready`,
    },
    {
      name: 'export',
      cmd: tsx('apps/export-worker/src/main.ts'),
      env: ops(PORTS.exportOps),
      ready: `http://127.0.0.1:${PORTS.exportOps}/health/ready`,
    },
    {
      name: 'report',
      cmd: tsx('apps/report-worker/src/main.ts'),
      env: ops(PORTS.reportOps),
      ready: `http://127.0.0.1:${PORTS.reportOps}/health/ready`,
    },
    {
      name: 'acquisition',
      cmd: tsx('apps/acquisition-worker/src/main.ts'),
      env: ops(PORTS.acquisitionOps),
      ready: `http://127.0.0.1:${PORTS.acquisitionOps}/health/ready`,
    },
    {
      name: 'cleanup',
      cmd: tsx('apps/cleanup-worker/src/main.ts'),
      env: ops(PORTS.cleanupOps),
      ready: `http://127.0.0.1:${PORTS.cleanupOps}/health/ready`,
    },
  ];
}

function readPids(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(PIDS, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

function startS3(env: Record<string, string>): string {
  if (env.STORAGE_BACKEND === 'local') return 'local filesystem backend (STORAGE_BACKEND=local)';
  if (process.env.S3_ENDPOINT) return `external S3 at ${process.env.S3_ENDPOINT}`;
  try {
    Object.assign(env, startRgw(RGW));
    return `Ceph RGW (real S3, kept in .stack/rgw) at ${env.S3_ENDPOINT}`;
  } catch {
    env.STORAGE_BACKEND = 'local';
    return 'local filesystem backend: Ceph RGW could not be started here (needs Debian packages and root)';
  }
}

/** Stops the stack's RGW if it runs; its store is kept unless `wipe`. */
function stopS3(wipe: boolean): void {
  if (!existsSync(path.join(RGW.RGW_DIR, 'ceph.conf'))) return;
  execFileSync('bash', [path.join(ROOT, 'scripts/s3/stop-rgw.sh')], {
    env: { ...process.env, ...RGW, WIPE: wipe ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * Runs `work` on the `postgres` database of the server `databaseUrl` names (a database can't be created
 * or dropped from inside itself); returns that database's name.
 */
async function onServerOf(
  databaseUrl: string,
  work: (client: pg.Client, dbName: string) => Promise<void>,
): Promise<string> {
  const url = new URL(databaseUrl);
  const dbName = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await work(client, dbName);
  } finally {
    await client.end();
  }
  return dbName;
}

/** `down --wipe`: the stack's database and NATS stream go too (the objects went with its RGW). */
async function wipeData(env: Record<string, string>): Promise<void> {
  const dbName = await onServerOf(env.DATABASE_URL!, async (client, name) => {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
  });
  const nc = await connect({ servers: env.NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(env.NATS_STREAM!).catch(() => false);
  } finally {
    await nc.close();
  }
  rmSync(path.join(ROOT, env.LOCAL_STORAGE_DIR!), { recursive: true, force: true });
  say(`wiped: database ${dbName}, NATS stream ${env.NATS_STREAM}, the objects`);
}

function readStackEnv(): Record<string, string> {
  return stackEnv({ ...parseDotEnv(path.join(ROOT, '.env')), ...process.env } as Record<string, string | undefined>);
}

async function prepareDatabase(env: Record<string, string>): Promise<void> {
  await onServerOf(env.DATABASE_URL!, async (client, dbName) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (!rowCount) await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '')}"`);
  });
  const dbDir = path.join(ROOT, 'packages/db');
  execFileSync('node', ['../../tools/migrate-deploy.mjs'], {
    cwd: dbDir,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  if (env.SEED_DEMO !== '1') return;
  execFileSync('node', ['--import', 'tsx', 'src/seed-cli.ts'], {
    cwd: dbDir,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
}

async function up(detach: boolean): Promise<void> {
  const running = Object.entries(readPids()).filter(([, pid]) => alive(pid));
  if (running.length) {
    say(`already running (${running.map(([n]) => n).join(', ')}); \`bash scripts/stack.sh down\` stops it`);
    return;
  }
  mkdirSync(path.join(STATE, 'logs'), { recursive: true });
  const env = readStackEnv();
  const s3 = startS3(env);
  say(`storage: ${s3}`);
  await prepareDatabase(env);

  const children: { svc: Service; child: ChildProcess }[] = [];
  const pids: Record<string, number> = {};
  services(env).forEach((svc, i) => {
    const color = COLORS[i % COLORS.length];
    const prefix = `\x1b[${color}m${svc.name.padEnd(12)}\x1b[0m| `;
    const logFile = path.join(STATE, 'logs', `${svc.name}.log`);
    const out = detach ? openSync(logFile, 'a') : 'pipe';
    const child = spawn(svc.cmd[0]!, svc.cmd.slice(1), {
      cwd: ROOT,
      env: { ...process.env, ...env, ...svc.env },
      stdio: ['ignore', out, out],
      detached: detach,
    });
    if (!detach) {
      for (const stream of [child.stdout, child.stderr]) {
        let buf = '';
        stream?.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const line of lines) process.stdout.write(prefix + line + '\n');
        });
      }
    } else child.unref();
    pids[svc.name] = child.pid!;
    children.push({ svc, child });
  });
  writeFileSync(PIDS, JSON.stringify(pids));

  const results = await Promise.all(
    children.map(async ({ svc }) => [svc.name, svc.ready ? await waitReady(svc.ready, 90_000) : true] as const),
  );
  const failed = results.filter(([, ok]) => !ok).map(([n]) => n);
  if (failed.length) say(`NOT ready: ${failed.join(', ')} (logs: .stack/logs/ when detached)`);
  say(`
  UI            ${env.PUBLIC_BASE_URL}   (demo login: demo@pulse.local — the code is in the mail viewer${env.AUTH_DEV_ECHO === '1' ? ' and echoed by the API' : ''})
  Mail viewer   http://127.0.0.1:${PORTS.mailHttp}
  Metrics       http://127.0.0.1:${PORTS.uiOps}/metrics (ui-api's ops port), workers on :${PORTS.exportOps}-${PORTS.cleanupOps}/metrics
  API docs      ${env.PUBLIC_BASE_URL}/api/v1/openapi.json
  Storage       ${s3}
  Stop          ${detach ? 'bash scripts/stack.sh down' : 'Ctrl-C'} (keeps the data; \`bash scripts/stack.sh down --wipe\` removes it)`);
  if (failed.length && detach) {
    await down(false);
    process.exit(1);
  }
  if (detach) return;

  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const { child } of children) child.kill('SIGTERM');
    setTimeout(() => {
      for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    }, 12_000).unref();
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  await Promise.all(
    children.map(({ child }) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))),
  );
  rmSync(PIDS, { force: true });
  stopS3(false);
  say('stopped');
}

async function down(wipe: boolean): Promise<void> {
  const pids = readPids();
  for (const pid of Object.values(pids)) {
    // Detached children lead their own process group: signal the group so nothing is left behind.
    if (alive(pid))
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        process.kill(pid, 'SIGTERM');
      }
  }
  const deadline = Date.now() + 12_000;
  while (Object.values(pids).some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of Object.values(pids))
    if (alive(pid))
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  rmSync(PIDS, { force: true });
  stopS3(wipe);
  say(Object.keys(pids).length ? 'stopped' : 'nothing was running');
  if (wipe) await wipeData(readStackEnv());
}

function status(): void {
  const pids = readPids();
  if (!Object.keys(pids).length) {
    say('not running');
    return;
  }
  for (const [name, pid] of Object.entries(pids))
    say(`${name.padEnd(12)} pid ${pid} ${alive(pid) ? 'running' : 'exited'}`);
}

const [cmd = 'up', ...rest] = process.argv.slice(2);
if (cmd === 'up') await up(rest.includes('--detach') || rest.includes('-d'));
else if (cmd === 'down') await down(rest.includes('--wipe') || rest.includes('-v'));
else if (cmd === 'status') status();
else {
  process.stderr.write('usage: stack.sh up [--detach] | down [--wipe] | status\n');
  process.exit(2);
}
