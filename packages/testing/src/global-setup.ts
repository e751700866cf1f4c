// Jest global setup shared by every package: boots the real services tests run against.
// RGW start is idempotent (≈50 ms when already up), so every package may call it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureTemplate } from './database';

const START_RGW = fileURLToPath(new URL('../../../scripts/s3/start-rgw.sh', import.meta.url));

export default async function globalSetup(): Promise<void> {
  if (!process.env.S3_ENDPOINT) {
    const out = execFileSync('bash', [START_RGW], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    for (const line of out.split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]!] = m[2]!;
    }
  }
  await ensureTemplate();
}
