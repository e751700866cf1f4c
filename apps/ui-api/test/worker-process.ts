import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { s3TestEnv } from '@pulse/testing';
import type { TestApp } from './harness';

export interface RunningWorker {
  /** Every line the worker logged (JSON). */
  lines: string[];
  stop(): Promise<void>;
}

/**
 * A real worker app as its own process, on the app's database, stream, subject prefix and buckets: the
 * API and the worker meet only through Postgres, NATS and S3, as in production. Resolves once its
 * consumer is pulling.
 */
export async function startWorker(
  app: TestApp,
  name: 'export-worker' | 'acquisition-worker' | 'report-worker',
  env: Record<string, string> = {},
): Promise<RunningWorker> {
  const { config } = app;
  const main = fileURLToPath(new URL(`../../${name}/src/main.ts`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      PATH: process.env.PATH,
      ...s3TestEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: config.db.url,
      DATABASE_POOL_MAX: '4',
      NATS_URL: config.nats.url,
      NATS_STREAM: config.nats.stream,
      NATS_SUBJECT_PREFIX: config.nats.subjectPrefix,
      NATS_MAX_DELIVER: '2',
      S3_BUCKET_EXPORTS: config.s3.buckets.exports,
      S3_BUCKET_RAW_IQ: config.s3.buckets.rawIq,
      S3_BUCKET_REPORTS: config.s3.buckets.reports,
      SMTP_HOST: config.smtp.host,
      SMTP_PORT: String(config.smtp.port),
      REPORT_LINK_SECRET: config.keys.reportLinks.current.secret,
      UNSUBSCRIBE_SIGNING_SECRET: config.keys.unsubscribe.current.secret,
      PUBLIC_BASE_URL: app.url,
      OPS_HTTP_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (lines.some((l) => l.includes('"event":"bus_consumer_started"'))) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`${name} exited early:\n${lines.join('\n')}`));
      }
    }, 50);
  });

  return {
    lines,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
