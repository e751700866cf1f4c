// The alert rules and the dashboard name only metrics Pulse really exports:
//   node --import tsx scripts/metrics/check-rules.ts SCRAPES.jsonl
// runs `promtool check rules` and `promtool test rules`, then reads every `pulse_*` metric the rules and
// the Grafana dashboard mention and looks for its family (`# TYPE`) in scrapes of a real run
// (scripts/metrics/record.ts during the smoke run). Exits non-zero with the missing names.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RULES = path.join(ROOT, 'infra/prometheus/alerts.yml');
const RULE_TESTS = path.join(ROOT, 'infra/prometheus/alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'infra/grafana/pulse-dashboard.json');
const scrapes = process.argv[2];
if (!scrapes) throw new Error('usage: check-rules.ts SCRAPES.jsonl');

execFileSync('promtool', ['check', 'rules', RULES], { stdio: 'inherit' });
execFileSync('promtool', ['test', 'rules', RULE_TESTS], { stdio: 'inherit' });

/** `pulse_x_bucket` → `pulse_x`: histogram and summary series belong to their family. */
const family = (name: string) => name.replace(/_(bucket|count|sum)$/, '');
const named = (text: string) => new Set([...text.matchAll(/\bpulse_[a-z0-9_]+/g)].map((m) => family(m[0])));

const exported = new Set<string>();
for (const line of readFileSync(scrapes, 'utf8').split('\n')) {
  if (!line) continue;
  const { text } = JSON.parse(line) as { text: string };
  for (const m of text.matchAll(/^# TYPE (\S+)/gm)) exported.add(m[1]!);
}
if (exported.size === 0) throw new Error(`no scrape in ${scrapes}`);

let missing = 0;
for (const [what, file] of [
  ['alert rules', RULES],
  ['dashboard', DASHBOARD],
] as const) {
  const names = [...named(readFileSync(file, 'utf8'))].sort();
  const absent = names.filter((n) => !exported.has(n));
  missing += absent.length;
  console.log(
    `${what}: ${names.length} metrics named, ${absent.length} not exported${absent.length ? `: ${absent.join(', ')}` : ''}`,
  );
}
process.exit(missing === 0 ? 0 : 1);
