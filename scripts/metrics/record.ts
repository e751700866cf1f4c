// Scrapes Prometheus endpoints every few seconds into a JSON-lines file, until stopped (SIGTERM/SIGINT),
// for the alert-rule check and the dashboard picture (plot.py):
//   node --import tsx scripts/metrics/record.ts --out FILE [--interval-ms 2000] URL...
import { appendFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const out = opt('--out', '/tmp/pulse-metrics.jsonl');
const intervalMs = Number(opt('--interval-ms', '2000'));
const urls = args.filter((a, i) => a.startsWith('http') && !args[i - 1]?.startsWith('--'));

writeFileSync(out, '');
let stopping = false;
const stop = () => {
  stopping = true;
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

while (!stopping) {
  const t = Date.now();
  await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(intervalMs) });
        if (res.ok) appendFileSync(out, `${JSON.stringify({ t, url, text: await res.text() })}\n`);
      } catch {
        // A service not up yet (or already down): the next scrape tries again.
      }
    }),
  );
  await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t))));
}
