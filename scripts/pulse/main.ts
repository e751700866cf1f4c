// `pnpm pulse <command>`: operator commands against a running deployment's Postgres and NATS (the same
// DATABASE_URL / NATS_* settings as the apps). Commands: dlq (see dlq.ts), unsubscribe-mail (see
// unsubscribe-mail.ts), bounce-mail (see bounce-mail.ts).
import { runBounceMail } from './bounce-mail';
import { runDlq } from './dlq';
import { runUnsubscribeMail } from './unsubscribe-mail';

const USAGE = `usage: pnpm pulse dlq list|show|replay|discard|history [options]   (pnpm pulse dlq --help)
       pnpm pulse unsubscribe-mail < message.eml                      (pnpm pulse unsubscribe-mail --help)
       pnpm pulse bounce-mail < message.eml                           (pnpm pulse bounce-mail --help)
`;

const [command, ...rest] = process.argv.slice(2);
if (command === 'dlq') {
  process.exitCode = await runDlq(rest);
} else if (command === 'unsubscribe-mail') {
  process.exitCode = await runUnsubscribeMail(rest);
} else if (command === 'bounce-mail') {
  process.exitCode = await runBounceMail(rest);
} else {
  process.stderr.write(USAGE);
  process.exitCode = 2;
}
