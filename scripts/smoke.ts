// Smoke test of a whole running stack (local or compose): one line per step, then
// `smoke: N passed, M failed`; exits non-zero on any failure.
//   node --import tsx scripts/smoke.ts [--base URL] [--mail URL] [--compose [--scale SERVICE=N]... [--replicas]]
//                                      [--save-state FILE | --kept FILE]
// --compose: brings the stack up (compose v2 `docker compose up --wait --build`; where only v1
// `docker-compose` exists, `build`, `up -d` and polling every container's health), runs the steps,
// then `down -v`. --replicas adds the replica checks (a burst of 20 exports and a report run, each job
// done exactly once, by more than one replica), which read the workers' logs through compose.
// --save-state FILE writes the session and the files the steps made (with their SHA-256); --kept FILE,
// after the stack was restarted, runs only the step that downloads them again (the local stack keeps
// its data: scripts/test.sh restarts it between the two).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const compose = args.includes('--compose');
const replicas = args.includes('--replicas');
const saveState = opt('--save-state', '');
const kept = opt('--kept', '');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const scale = args.flatMap((a, i) => (args[i - 1] === '--scale' ? ['--scale', a] : []));
const BASE = opt('--base', process.env.SMOKE_BASE_URL ?? (compose ? 'http://localhost:8080' : 'http://127.0.0.1:8080'));
const MAIL = opt('--mail', process.env.SMOKE_MAIL_URL ?? (compose ? 'http://localhost:8025' : 'http://127.0.0.1:8025'));
const ADMIN = process.env.SMOKE_ADMIN_EMAIL ?? 'demo@pulse.local';
const OTHER = process.env.SMOKE_OTHER_EMAIL ?? 'bob@pulse.local';

/** `docker compose` (v2) where the plugin exists, else `docker-compose` (v1). */
function composeCommand(): string[] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}
// PULSE_ENV_FILE: compose's ${…} values from this file instead of ./.env (compose-ci: a copy of .env.example).
const envFile = process.env.PULSE_ENV_FILE ? ['--env-file', process.env.PULSE_ENV_FILE] : [];
const COMPOSE = compose ? [...composeCommand(), ...envFile] : [];
const composeRun = (composeArgs: string[], opts: { quiet?: boolean } = {}) =>
  execFileSync(COMPOSE[0]!, [...COMPOSE.slice(1), ...composeArgs], {
    stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });

let passed = 0;
let failed = 0;
const state: Record<string, string> = {};

async function step(name: string, fn: () => Promise<string | undefined>): Promise<void> {
  const t0 = Date.now();
  try {
    const detail = await fn();
    passed++;
    process.stdout.write(`ok    ${name} (${Date.now() - t0} ms)${detail ? ` — ${detail}` : ''}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`FAIL  ${name} (${Date.now() - t0} ms) — ${(err as Error).message}\n`);
  }
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

async function api(method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> {
  return fetch(`${BASE}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
}

async function json<T = Record<string, unknown>>(res: Response, expect: number): Promise<T> {
  const text = await res.text();
  assert(res.status === expect, `expected ${expect}, got ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

interface MailSummary {
  ID: string;
  To: { Address: string }[];
  Subject: string;
  Created: string;
}

async function waitForMail(
  to: string,
  subject: RegExp,
  since: number,
  timeoutMs = 30_000,
): Promise<{ Text: string; HTML: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = (await (await fetch(`${MAIL}/api/v1/messages`)).json()) as { messages: MailSummary[] };
    const hit = list.messages.find(
      (m) =>
        m.To.some((t) => t.Address.toLowerCase() === to) &&
        subject.test(m.Subject) &&
        Date.parse(m.Created) >= since - 2000,
    );
    if (hit) return (await (await fetch(`${MAIL}/api/v1/message/${hit.ID}`)).json()) as { Text: string; HTML: string };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms`);
}

async function login(email: string): Promise<string> {
  const since = Date.now();
  await json(await api('POST', '/api/v1/auth/otp/request', undefined, { email }), 202);
  // Always the real path, through the email (the API's dev echo, when on, is not used here).
  const code = /\b(\d{6})\b/.exec((await waitForMail(email, /code|sign/i, since)).Text)?.[1];
  assert(code, 'no code found in the email');
  const session = await json<{ token: string }>(
    await api('POST', '/api/v1/auth/otp/verify', undefined, { email, code }),
    200,
  );
  assert(session.token, 'no session token');
  return session.token;
}

/** Follows the API's 302 to the presigned URL and returns the object's bytes. */
async function download(path: string, token?: string): Promise<{ bytes: Buffer; location: string }> {
  const res = await api('GET', path, token);
  assert(res.status === 302, `expected 302, got ${res.status}`);
  const location = res.headers.get('location');
  assert(location, 'no Location header');
  const obj = await fetch(new URL(location, BASE));
  assert(obj.status === 200, `object fetch answered ${obj.status}`);
  return { bytes: Buffer.from(await obj.arrayBuffer()), location };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what}: timed out after ${timeoutMs} ms`);
}

function lastMonth(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

/** v1 has no `--wait`: every container healthy (or running, without a health check), one-shots exited 0. */
async function waitHealthy(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const ids = composeRun(['ps', '-a', '-q'], { quiet: true }).split('\n').filter(Boolean);
    const states = execFileSync(
      'docker',
      [
        'inspect',
        '-f',
        '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{if .State.Health}}{{.State.Health.Status}}{{end}}',
        ...ids,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const broken = states.find(
      ([, st, code, restart, health]) =>
        (st === 'exited' && (code !== '0' || restart !== 'no')) || st === 'restarting' || health === 'unhealthy',
    );
    if (broken) throw new Error(`${broken[0]} is ${broken[4] || broken[1]} (exit code ${broken[2]})`);
    pending = states
      .filter(([, st, , , health]) => !(st === 'exited' || (st === 'running' && (!health || health === 'healthy'))))
      .map(([name, st, , , health]) => `${name} ${health || st}`);
    if (ids.length && !pending.length) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`not healthy after ${timeoutMs} ms: ${pending.join(', ')}`);
}

async function main(): Promise<void> {
  if (compose) {
    process.stdout.write(`smoke: ${COMPOSE.join(' ')} up ${scale.join(' ')}\n`);
    if (COMPOSE[0] === 'docker') composeRun(['up', '--wait', '--build', '-d', ...scale]);
    else {
      composeRun(['build']);
      composeRun(['up', '-d', ...scale]);
    }
  }
  try {
    if (compose && COMPOSE[0] !== 'docker') await waitHealthy(600_000);
    if (kept) await keptChecks(JSON.parse(readFileSync(kept, 'utf8')) as Record<string, string>);
    else await run();
    if (replicas) await replicaChecks();
    if (saveState) writeFileSync(saveState, JSON.stringify(state));
  } catch (err) {
    failed++;
    process.stdout.write(`FAIL  compose up — ${(err as Error).message}\n`);
  } finally {
    if (compose) {
      if (failed) composeRun(['logs', '--no-color', '--tail', '40']);
      composeRun(['down', '-v', '--remove-orphans']);
    }
  }
  process.stdout.write(`smoke: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

/** The JSON log lines of a compose service's replicas, each with the container it came from. */
function serviceLogs(service: string): { container: string; line: Record<string, unknown> }[] {
  const out: { container: string; line: Record<string, unknown> }[] = [];
  for (const raw of composeRun(['logs', '--no-color', service], { quiet: true }).split('\n')) {
    const bar = raw.indexOf('| {');
    if (bar < 0) continue;
    try {
      out.push({ container: raw.slice(0, bar).trim(), line: JSON.parse(raw.slice(bar + 2)) });
    } catch {
      // not a JSON log line
    }
  }
  return out;
}

async function replicaChecks(): Promise<void> {
  await step('replicas: a burst of 20 exports, each done exactly once, by more than one replica', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 86_400_000);
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const body = { format: i % 2 ? 'ndjson' : 'csv', from: from.toISOString(), to: to.toISOString() };
        return (await json<{ id: string }>(await api('POST', '/api/v1/exports', state.token, body), 202)).id;
      }),
    );
    await poll(
      'burst',
      async () => {
        const statuses = await Promise.all(
          ids.map(
            async (id) =>
              (await json<{ status: string }>(await api('GET', `/api/v1/exports/${id}`, state.token), 200)).status,
          ),
        );
        if (statuses.includes('failed')) throw new Error('an export failed');
        return statuses.every((st) => st === 'succeeded') ? true : undefined;
      },
      300_000,
    );
    for (const id of ids) {
      const res = await api('GET', `/api/v1/exports/${id}/download`, state.token);
      assert(res.status === 302, `export ${id} download answered ${res.status}`);
    }
    // Let any duplicate delivery finish before counting (ack wait is 30 s; a duplicate would show up as a
    // second file_created for the same export).
    await new Promise((r) => setTimeout(r, 5000));
    const created = serviceLogs('export-worker').filter((l) => l.line.event === 'file_created');
    const perExport = new Map<string, number>();
    for (const l of created) perExport.set(String(l.line.exportId), (perExport.get(String(l.line.exportId)) ?? 0) + 1);
    for (const id of ids)
      assert(perExport.get(id) === 1, `export ${id} has ${perExport.get(id) ?? 0} file_created events`);
    const workers = new Set(created.filter((l) => ids.includes(String(l.line.exportId))).map((l) => l.container));
    assert(workers.size >= 2, `only ${[...workers].join(', ')} did the burst`);
    return `20 exports, one file each, done by ${workers.size} replicas`;
  });

  await step('replicas: the report run sent each follower exactly one email', async () => {
    assert(state.reportSince, 'no report run from an earlier step');
    const since = Number(state.reportSince);
    // Wait until no report mail has arrived for 10 s, then count per recipient.
    let count = -1;
    let list: MailSummary[] = [];
    for (let stable = 0; stable < 5; ) {
      await new Promise((r) => setTimeout(r, 2000));
      list = ((await (await fetch(`${MAIL}/api/v1/messages`)).json()) as { messages: MailSummary[] }).messages.filter(
        (m) => /report/i.test(m.Subject) && Date.parse(m.Created) >= since - 2000,
      );
      stable = list.length === count ? stable + 1 : 0;
      count = list.length;
    }
    const perFollower = new Map<string, number>();
    for (const m of list) for (const t of m.To) perFollower.set(t.Address, (perFollower.get(t.Address) ?? 0) + 1);
    const twice = [...perFollower].filter(([, n]) => n !== 1);
    assert(!twice.length, `followers with more than one email: ${twice.map(([a, n]) => `${a}×${n}`).join(', ')}`);
    const sent = serviceLogs('report-worker').filter(
      (l) => l.line.event === 'report_sent' && Date.parse(String(l.line.time)) >= since - 2000,
    );
    assert(sent.length === list.length, `${sent.length} report_sent log lines for ${list.length} emails`);
    const senders = new Set(sent.map((l) => l.container));
    return `${perFollower.size} followers, one email each; report_sent by ${senders.size} replica(s)`;
  });
}

/** After a restart of the stack: what --save-state recorded is still there, byte for byte. */
async function keptChecks(saved: Record<string, string>): Promise<void> {
  await step('restart: files made before the restart still download, same bytes, still ready', async () => {
    await poll('ready', async () =>
      (await fetch(`${BASE}/health/ready`).catch(() => undefined))?.ok ? true : undefined,
    );
    const files = [
      [`/api/v1/files/${saved.pdfFileId}/download`, saved.pdfSha256],
      [`/api/v1/exports/${saved.exportId}/download`, saved.exportSha256],
    ] as const;
    for (const [path, expected] of files) {
      assert(expected, `no ${path} in the saved state`);
      const { bytes } = await download(path, saved.token);
      assert(sha256(bytes) === expected, `${path}: other bytes after the restart`);
    }
    // The rows are still ready too (with the objects gone, cleanup-worker would mark them missing).
    const list = await json<{ items: { id: string }[] }>(await api('GET', '/api/v1/me/files', saved.token), 200);
    assert(
      list.items.some((f) => f.id === saved.pdfFileId),
      'the uploaded file is no longer listed',
    );
    const exp = await json<{ status: string }>(await api('GET', `/api/v1/exports/${saved.exportId}`, saved.token), 200);
    assert(exp.status === 'succeeded', `the export is ${exp.status} after the restart`);
    return `${files.length} files, byte for byte; the export ${exp.status}`;
  });
}

async function run(): Promise<void> {
  await step('ready: /health/ready is 200', async () => {
    const body = await poll(
      'ready',
      async () => {
        const res = await fetch(`${BASE}/health/ready`).catch(() => undefined);
        return res?.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      60_000,
    );
    return JSON.stringify(body.checks ?? body);
  });

  // Metrics and the storage detail (endpoints, buckets) are on the ops port, which is never published.
  await step('public listener: /metrics is 404, /health/s3 is only {ok, backend}', async () => {
    const metrics = await fetch(`${BASE}/metrics`);
    await metrics.text();
    assert(metrics.status === 404, `/metrics answered ${metrics.status}`);
    const s3 = await json<Record<string, unknown>>(await fetch(`${BASE}/health/s3`), 200);
    assert(
      JSON.stringify(Object.keys(s3).sort()) === '["backend","ok"]' && s3.ok === true,
      `/health/s3 answered ${JSON.stringify(s3)}`,
    );
    return `/health/s3 ${JSON.stringify(s3)}`;
  });

  await step(`login: OTP for ${ADMIN} read from the mail capture`, async () => {
    state.token = await login(ADMIN);
    const me = await json<{ email: string }>(await api('GET', '/api/v1/me', state.token), 200);
    assert(me.email === ADMIN, `me is ${me.email}`);
    return `signed in as ${me.email}`;
  });

  await step('upload: a PDF through its presigned PUT, completed', async () => {
    // What the browser does: the bytes go straight to S3 (the public endpoint) with the app's object-only
    // credentials signed into the URL; no debug route, which production refuses.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const body = { filename: 'smoke.pdf', contentType: 'application/pdf', size: pdf.length };
    const up = await json<{ fileId: string; uploadUrl: string; method: string; headers: Record<string, string> }>(
      await api('POST', '/api/v1/files/uploads', state.token, body),
      201,
    );
    const put = await fetch(new URL(up.uploadUrl, BASE), { method: up.method, headers: up.headers, body: pdf });
    assert(put.ok, `presigned PUT answered ${put.status}`);
    await json(await api('POST', `/api/v1/files/${up.fileId}/complete`, state.token, {}), 200);
    state.pdfFileId = up.fileId;
    return `file ${up.fileId}`;
  });

  await step('download: 302 to a presigned URL, body is a PDF', async () => {
    const { bytes, location } = await download(`/api/v1/files/${state.pdfFileId}/download`, state.token);
    state.presigned = location;
    state.pdfSha256 = sha256(bytes);
    assert(bytes.subarray(0, 4).toString() === '%PDF', 'body does not start with %PDF');
    return `${bytes.length} bytes`;
  });

  await step('files: /me/files lists it', async () => {
    const list = await json<{ items: { id: string }[] }>(await api('GET', '/api/v1/me/files', state.token), 200);
    assert(
      list.items.some((f) => f.id === state.pdfFileId),
      'file not listed',
    );
    return `${list.items.length} files`;
  });

  await step('export: CSV of the last 3 days, downloaded, header + rows', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 3 * 86_400_000);
    const created = await json<{ id: string }>(
      await api('POST', '/api/v1/exports', state.token, {
        format: 'csv',
        from: from.toISOString(),
        to: to.toISOString(),
      }),
      202,
    );
    const done = await poll('export', async () => {
      const s = await json<{ status: string; rowsDone: number | string; error?: string }>(
        await api('GET', `/api/v1/exports/${created.id}`, state.token),
        200,
      );
      if (s.status === 'failed') throw new Error(`export failed: ${s.error}`);
      return s.status === 'succeeded' ? s : undefined;
    });
    const { bytes } = await download(`/api/v1/exports/${created.id}/download`, state.token);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    assert(/^ts,device_id,metric,value$/.test(lines[0] ?? ''), `unexpected header ${lines[0]}`);
    assert(lines.length - 1 === Number(done.rowsDone), `rows ${lines.length - 1} != rowsDone ${done.rowsDone}`);
    assert(lines.length > 1, 'export has no rows');
    state.exportId = created.id;
    state.exportSha256 = sha256(bytes);
    return `${lines.length - 1} rows`;
  });

  await step(`report: run ${lastMonth()}, the email's link downloads a PDF`, async () => {
    const since = Date.now();
    state.reportSince = String(since);
    const period = lastMonth();
    const res = await api('POST', '/api/v1/reports/run', state.token, { period, resend: true });
    assert(res.status === 202, `run answered ${res.status}: ${await res.text()}`);
    const mail = await waitForMail(ADMIN, /report/i, since, 90_000);
    const link = /(https?:\/\/[^\s"'<>]+\/r\/[A-Za-z0-9._~-]+)/.exec(mail.Text)?.[1];
    assert(link, 'no report link in the email');
    const viaApi = await fetch(link, { redirect: 'manual' });
    assert(viaApi.status === 302, `report link answered ${viaApi.status}`);
    const obj = await fetch(viaApi.headers.get('location')!);
    const bytes = Buffer.from(await obj.arrayBuffer());
    assert(obj.status === 200 && bytes.subarray(0, 4).toString() === '%PDF', 'report link did not give a PDF');
    return `${bytes.length} bytes`;
  });

  await step('acquisition: every receiver stored, .npy downloads as NumPy', async () => {
    const acq = await json<{ taskId: string }>(
      await api('POST', '/api/v1/acquisition/acquire', state.token, {
        frequencyHz: 7_100_000,
        durationMs: 100,
        sampleRate: 48_000,
        receivers: undefined,
      }),
      202,
    );
    const final = await poll('acquisition', async () => {
      const s = await json<{ state: string }>(
        await api('GET', `/api/v1/acquisition/status/${acq.taskId}`, state.token),
        200,
      );
      return ['SUCCESS', 'PARTIAL_FAILURE', 'FAILED'].includes(s.state) ? s : undefined;
    });
    assert(final.state === 'SUCCESS', `state ${final.state}`);
    const session = await json<{ measurements: { npy: { downloadUrl: string } }[] }>(
      await api('GET', `/api/v1/acquisition/sessions/${acq.taskId}`, state.token),
      200,
    );
    const first = session.measurements[0];
    assert(first, 'no measurements');
    const { bytes } = await download(first.npy.downloadUrl, state.token);
    assert(bytes.subarray(0, 6).equals(Buffer.from('\x93NUMPY', 'latin1')), 'not an .npy file');
    return `${session.measurements.length} measurements`;
  });

  await step(`access: ${OTHER} gets 404 on someone else's file and export`, async () => {
    const other = await login(OTHER);
    for (const path of [`/api/v1/files/${state.pdfFileId}/download`, `/api/v1/exports/${state.exportId}`]) {
      const res = await api('GET', path, other);
      assert(res.status === 404, `${path} answered ${res.status}`);
    }
    return 'file and export are 404';
  });

  await step('s3: a tampered presigned URL is refused with 403', async () => {
    assert(state.presigned, 'no presigned URL from an earlier step');
    const url = new URL(state.presigned);
    const sig = url.searchParams.get('X-Amz-Signature') ?? url.searchParams.get('sig');
    assert(sig, 'no signature in the URL');
    const flipped = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
    url.searchParams.set(url.searchParams.has('X-Amz-Signature') ? 'X-Amz-Signature' : 'sig', flipped);
    const res = await fetch(url);
    assert(res.status === 403, `tampered URL answered ${res.status}`);
    return '403';
  });
}

await main();
