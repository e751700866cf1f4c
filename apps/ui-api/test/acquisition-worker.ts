import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { s3TestEnv } from '@pulse/testing';
import type { TestApp } from './harness';

const WORKER_MAIN = fileURLToPath(new URL('../../acquisition-worker/src/main.ts', import.meta.url));

export interface RunningWorker {
  lines: string[];
  stop(): Promise<void>;
}

/**
 * The real acquisition-worker as its own process, on the app's database, stream, prefix and raw IQ
 * bucket: the API and the worker meet only through Postgres, NATS and S3, as in production.
 */
export async function startAcquisitionWorker(app: TestApp): Promise<RunningWorker> {
  const { config } = app;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
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
      S3_BUCKET_RAW_IQ: config.s3.buckets.rawIq,
      OPS_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const collect = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const started = lines.some((l) => l.includes('"event":"bus_consumer_started"'));
      if (started || child.exitCode !== null) clearInterval(timer);
      if (started) resolve();
      else if (child.exitCode !== null) reject(new Error(`acquisition-worker exited early:\n${lines.join('\n')}`));
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
