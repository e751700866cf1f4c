// Download redirect throughput: an authenticated GET /api/v1/files/:id/download (cached session, ownership
// query, SigV4 presign, file_presigned log line, 302) against a bare Express route answering the same 302,
// in the same run on the same machine, and against that bare route plus the same `storage.presignGet` (the
// like-for-like floor: what signing alone adds under load). Load comes from the autocannon CLI in its own
// process, so the generator does not share the server's event loop. Targets: server CPU per download
// <= 2.5x the bare route's, >= 0.5x its requests/s, p99 < 10 ms at 50 connections.
//   node --import tsx scripts/bench/redirect.ts [--duration 10] [--connections 50] [--rounds 2]
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import express from 'express';
import { startTestApp } from '../../apps/ui-api/test/harness';
import { benchLogFile, median, mb, progress, rgwEnv, rssSampler, writeSection } from './lib';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
  },
});
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const AUTOCANNON = fileURLToPath(new URL('../node_modules/.bin/autocannon', import.meta.url));
const log = (msg: string) => progress('redirect', msg);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** Responses that were not the expected 302. */
  unexpected: number;
  /** Server process CPU (user + system) per request over the run, µs: steadier than req/s on a shared machine. */
  cpuUs: number;
}

async function cannon(url: string, headers: Record<string, string>, durationS: number): Promise<Run> {
  // Only the side under load runs during its run, so the process's CPU is that side's.
  const cpuBefore = process.cpuUsage();
  const args = ['-c', String(CONNECTIONS), '-d', String(durationS), '-j', '-n'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  const { stdout } = await promisify(execFile)(AUTOCANNON, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const r = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    statusCodeStats?: Record<string, { count: number }>;
  };
  const redirects = r.statusCodeStats?.['302']?.count ?? 0;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuUs: (cpu.user + cpu.system) / Math.max(1, r.requests.total),
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    unexpected: r.requests.total - redirects,
  };
}

async function main(): Promise<void> {
  Object.assign(process.env, rgwEnv());
  // The real app as tests boot it (fresh DB, RGW, NATS), logging at the production level.
  // Its log lines go to a file the way production writes stdout, and are counted and scanned afterwards.
  const appLog = benchLogFile('redirect');
  const app = await startTestApp({
    env: { LOG_LEVEL: 'info', DATABASE_POOL_MAX: '10' },
    outboxRelay: false,
    logDestination: appLog.destination,
  });
  const bare = express();
  bare.disable('x-powered-by');
  let location = '';
  bare.get('/download', (_req, res) => res.redirect(302, location));
  // The floor for any implementation that signs with the SDK's signer: the bare route plus the very
  // presign ui-api makes (same storage instance, bucket, key, filename and type), and nothing else.
  let presignArgs: Parameters<typeof app.storage.presignGet> | undefined;
  bare.get('/signed', async (_req, res) => {
    const presigned = await app.storage.presignGet(...presignArgs!);
    res.redirect(302, presigned.url);
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((resolve) => bareServer.once('listening', resolve));
  const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;
  const bareUrl = `${bareBase}/download`;
  const signedUrl = `${bareBase}/signed`;

  try {
    const { token, user } = await app.login('bench@example.com');
    const file = await app.seed.file({
      ownerId: user.id,
      filename: 'bench report.pdf',
      contentType: 'application/pdf',
    });
    const appUrl = `${app.url}/api/v1/files/${file.id}/download`;
    const check = await app.request(`/api/v1/files/${file.id}/download`, { token });
    if (check.status !== 302) throw new Error(`expected 302, got ${check.status}`);
    // The bare route answers with a Location of the same length as a real presign.
    location = check.headers.get('location')!;
    presignArgs = [file.bucket, file.objectKey, { filename: file.filename, contentType: file.contentType }];
    const auth = { authorization: `Bearer ${token}` };

    log(`warm-up: 3 s each, ${CONNECTIONS} connections`);
    await cannon(bareUrl, {}, 3);
    await cannon(signedUrl, {}, 3);
    await cannon(appUrl, auth, 3);
    const runs = { bare: [] as Run[], signed: [] as Run[], app: [] as Run[] };
    const urls = { bare: [bareUrl, {}], signed: [signedUrl, {}], app: [appUrl, auth] } as const;
    const rss = rssSampler();
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so no side always runs on the warmer machine.
      const order = round % 2 ? (['app', 'signed', 'bare'] as const) : (['bare', 'signed', 'app'] as const);
      for (const side of order) {
        const run = await cannon(urls[side][0], urls[side][1], DURATION_S);
        runs[side].push(run);
        log(
          `round ${round + 1} ${side}: ${run.rps.toFixed(0)} req/s, ${run.cpuUs.toFixed(0)} µs CPU/req, p50 ${run.p50} ms, p99 ${run.p99} ms, errors ${run.errors}, non-302 ${run.unexpected}`,
        );
      }
    }
    const peakRss = rss.stop();
    // Where a request's time goes: the two biggest steps, timed alone and sequentially in this process.
    const perCall = async (fn: () => Promise<unknown>, n = 2000) => {
      const t = performance.now();
      for (let i = 0; i < n; i++) await fn();
      return (performance.now() - t) / n;
    };
    const presignCpu = process.cpuUsage();
    const presignMs = await perCall(() =>
      app.storage.presignGet(file.bucket, file.objectKey, { filename: file.filename, contentType: file.contentType }),
    );
    const presignCpuUsed = process.cpuUsage(presignCpu);
    const presignCpuUs = (presignCpuUsed.user + presignCpuUsed.system) / 2000;
    const queryMs = await perCall(() =>
      app.db.pool.query('SELECT f.id FROM artifact_files f WHERE f.id = $1 AND f.owner_id = $2', [file.id, user.id]),
    );

    const summary = (rs: Run[]) => ({
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      requests: rs.reduce((n, r) => n + r.requests, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      unexpected: rs.reduce((n, r) => n + r.unexpected, 0),
      cpuUs: median(rs.map((r) => r.cpuUs)),
    });
    const b = summary(runs.bare);
    const sg = summary(runs.signed);
    const a = summary(runs.app);
    const signedRatio = sg.cpuUs / b.cpuUs;
    const signedRatios = runs.signed.map((r, i) => r.cpuUs / runs.bare[i]!.cpuUs);
    const likeForLike = a.cpuUs / sg.cpuUs;
    const ratio = a.rps / b.rps;
    const cpuRatio = a.cpuUs / b.cpuUs;
    const cpuRatios = runs.app.map((r, i) => r.cpuUs / runs.bare[i]!.cpuUs);
    const logLines = appLog.lines();
    const presigned = logLines.filter((l) => l.includes('"event":"file_presigned"')).length;
    // Every 302 carried a signature; none may have reached the log.
    const leaked = logLines.filter((l) => /X-Amz-Signature=(?!\[redacted\])/.test(l)).length;
    if (leaked > 0) throw new Error(`${leaked} log lines contain a presigned signature`);
    const met = (ok: boolean) => (ok ? 'met' : '**not met**');
    const row = (name: string, s: ReturnType<typeof summary>) =>
      `| ${name} | ${Math.round(s.cpuUs)} µs | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.p50} ms | ${s.p99} ms | ${s.requests.toLocaleString('en-US')} | ${s.errors} | ${s.unexpected} |`;
    log(
      `CPU/download ratio ${cpuRatio.toFixed(2)}x (bare + presign alone ${signedRatio.toFixed(2)}x), req/s ratio ${ratio.toFixed(2)}x, app p99 ${a.p99} ms`,
    );

    writeSection(
      'redirect',
      `## Download redirect (\`pnpm bench:redirect\`)

Authenticated \`GET /api/v1/files/:id/download\` on the real ui-api with its whole middleware stack (request id,
metrics, security headers, session, CSRF guard, zod-validated route; session and file row served from ui-api's
caches, which Postgres's change feed keeps true; SigV4 presign by the SDK's \`SignatureV4\` for RGW; \`file_presigned\` log line at info level
to a file, written like production stdout; 302) against a bare Express route answering a 302 with a Location of
the same length. Both servers in one Node process; load from the autocannon
CLI in a separate process: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} runs per side in
alternating order after a 3 s warm-up (median of runs). Machine: 2 cores shared by server, load generator,
PostgreSQL and RGW.

| route | server CPU per request | requests/s | p50 | p99 | requests | errors | non-302 |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('bare Express 302 (baseline)', b)}
${row('bare Express 302 + `storage.presignGet` (signing floor)', sg)}
${row('ui-api download (302 to presign)', a)}

Server CPU per download (ui-api / bare, \`process.cpuUsage\` over each run, median of runs):
**${cpuRatio.toFixed(2)}x** (target <= 2.5x: ${met(cpuRatio <= 2.5)}; per run ${cpuRatios.map((r) => `${r.toFixed(2)}x`).join(', ')}).
The bare route plus nothing but the same presign already costs **${signedRatio.toFixed(2)}x** the bare route (per run
${signedRatios.map((r) => `${r.toFixed(2)}x`).join(', ')}): that is the floor for any server that signs with the SDK's
\`SignatureV4\` under this load, so ${signedRatio > 2.5 ? 'the 2.5x target is below what signing alone costs here' : 'signing alone stays inside the target'}.
Like for like (ui-api / bare + presign): **${likeForLike.toFixed(2)}x**, i.e. ${Math.round(a.cpuUs - sg.cpuUs)} µs per download
for session, ownership, logging, metrics, security headers and routing.
Throughput ratio (ui-api / bare): **${ratio.toFixed(2)}x** (target >= 0.5x: ${met(ratio >= 0.5)}).
ui-api p99 at ${CONNECTIONS} connections: **${a.p99} ms** (target < 10 ms: ${met(a.p99 < 10)}).
Presigns logged: ${presigned.toLocaleString('en-US')} (no line holds a signature); peak RSS of the server process ${mb(peakRss)}.

Where the time goes (timed alone, sequentially, same process, after the runs): one \`storage.presignGet\`
(\`@smithy/signature-v4\`'s \`SignatureV4.presign\` with a \`node:crypto\` SHA-256, fed by the S3 client's
credential provider, which caches the day's signing key itself; plus the URL and its debug log call)
takes **${presignMs.toFixed(3)} ms** of wall time and **${presignCpuUs.toFixed(1)} µs** of CPU alone, but adds
${Math.round(sg.cpuUs - b.cpuUs)} µs per request under load (second row: interleaved with the HTTP stack, its code and data no
longer stay in the CPU's caches); the ownership query the file cache saves would take ${queryMs.toFixed(2)} ms
a round trip (plus Postgres's CPU on the same 2 cores). The rest is Express and Node's HTTP stack, which both sides
share, and the middleware above. On p99: with ${CONNECTIONS} connections always busy, mean latency is connections ÷
requests/s (Little's law), so p99 < 10 ms needs well over 5,000 requests/s, which is about what the bare route
itself does on this machine (its own p99 is ${b.p99} ms).`,
    );
  } finally {
    bareServer.close();
    await app.close();
    appLog.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
