// Stops the suite's private RGW (started by global-setup.ts) so its memory goes back to the machine.
import { SUITE_RGW } from './global-setup';
import { startOwnRgw } from './own-rgw';

export default async function globalTeardown(): Promise<void> {
  if (process.env.RELIABILITY_OWN_S3 !== '1') return;
  // startOwnRgw returns at once for a running instance; it is only the handle we need.
  const rgw = await startOwnRgw(SUITE_RGW);
  await rgw.destroy();
}
