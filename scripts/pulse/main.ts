// `pnpm pulse <command>`: operator commands against a running deployment's Postgres and NATS (the same
// DATABASE_URL / NATS_* settings as the apps). Commands: dlq (see dlq.ts).
import { runDlq } from './dlq';

const [command, ...rest] = process.argv.slice(2);
if (command === 'dlq') {
  process.exitCode = await runDlq(rest);
} else {
  process.stderr.write('usage: pnpm pulse dlq list|show|replay|discard|history [options]   (pnpm pulse dlq --help)\n');
  process.exitCode = 2;
}
