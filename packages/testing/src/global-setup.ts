// Jest global setup shared by every package: boots the real services tests run against.
// RGW start is idempotent (≈50 ms when already up), so every package may call it.
import { ensureTemplate } from './database';
import { startRgw } from './rgw';

export default async function globalSetup(): Promise<void> {
  if (!process.env.S3_ENDPOINT) Object.assign(process.env, startRgw());
  await ensureTemplate();
}
