// The reliability suite runs on its own S3 (a private RGW on port 7491) unless S3_ENDPOINT is given:
// its figures must not depend on what other packages' tests and benchmarks put into the shared one
// (a full memstore there stalls every write), and its load scenarios must not disturb them either.
import baseGlobalSetup from '../../../packages/testing/src/global-setup';
import { startOwnRgw } from './own-rgw';

export const SUITE_RGW = { dir: '/tmp/pulse-rgw-rel-base', port: 7491, monPort: 3311 };

export default async function globalSetup(): Promise<void> {
  if (!process.env.S3_ENDPOINT) {
    const rgw = await startOwnRgw(SUITE_RGW);
    Object.assign(process.env, rgw.env, { RELIABILITY_OWN_S3: '1' });
  }
  await baseGlobalSetup();
}
