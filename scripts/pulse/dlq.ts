// `pnpm pulse dlq …`: find, understand and replay failed jobs without touching NATS.
//   list    [--subject S] [--limit N] [--json]       dead letters waiting, oldest first, with the reason
//   show    SEQ                                       one dead letter in full (JSON)
//   replay  SEQ… | --all [--subject S] [--dry-run] [--yes]
//           the job is revived and its message published again with a new dedup id, once; recorded
//   discard SEQ… | --all [--subject S] [--dry-run] [--yes]
//   history [--limit N]                               who replayed or discarded what
// More than one dead letter at once asks for confirmation (or --yes; refused without a terminal).
// The operator is recorded as `cli:<PULSE_OPERATOR or the OS user>`.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { connectBus, dynamicPublisher, type Subject, type StoredDeadLetter } from '@pulse/bus';
import { dbConfig, loadConfigOrExit, logConfig, natsConfig } from '@pulse/config';
import { createDb, startOutboxRelay } from '@pulse/db';
import {
  type DeadLetterDeps,
  DeadLetterError,
  discardDeadLetter,
  recentActions,
  replayDeadLetter,
} from '@pulse/dead-letters';
import { createLogger } from '@pulse/logger';
import { isSubject } from '@pulse/messages';

const HELP = `usage: pnpm pulse dlq <command>
  list    [--subject S] [--limit N] [--json]
  show    SEQ
  replay  SEQ... | --all [--subject S] [--dry-run] [--yes]
  discard SEQ... | --all [--subject S] [--dry-run] [--yes]
  history [--limit N]
`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const short = (value: unknown, max = 60) => {
  const s = JSON.stringify(value) ?? '';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function table(rows: StoredDeadLetter[]): void {
  out(['SEQ', 'SUBJECT', 'DEAD AT', 'DELIVERIES', 'PAYLOAD', 'REASON'].join('\t'));
  for (const d of rows) {
    out([d.seq, d.subject, d.deadAt.toISOString(), d.deliveryCount, short(d.payload), d.reason].join('\t'));
  }
  out(`${rows.length} dead letter${rows.length === 1 ? '' : 's'}`);
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function runDlq(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (values.subject !== undefined && !isSubject(values.subject)) {
    process.stderr.write(`unknown subject: ${values.subject}\n`);
    return 2;
  }
  const subject = values.subject as Subject | undefined;
  const limit = values.limit ? Number(values.limit) : undefined;

  const config = loadConfigOrExit({ log: logConfig, db: dbConfig, nats: natsConfig });
  // Logs go to stderr: stdout is the command's answer (a table, or JSON).
  const logger = createLogger({
    name: 'pulse-dlq',
    level: config.log.level === 'info' ? 'warn' : config.log.level,
    destination: process.stderr,
  });
  const db = createDb(config.db, { logger, applicationName: 'pulse-dlq' });
  const bus = await connectBus({ config: config.nats, logger, name: 'pulse-dlq' });
  const deps: DeadLetterDeps = { db, bus, stream: config.nats.stream };
  const actor = `cli:${process.env.PULSE_OPERATOR || userInfo().username}`;
  try {
    switch (command) {
      case 'list': {
        const rows = await bus.deadLetters.list({ subject, limit });
        if (values.json) out(JSON.stringify(rows));
        else table(rows);
        return 0;
      }
      case 'show': {
        const dead = await bus.deadLetters.get(Number(args[0]));
        if (!dead) {
          process.stderr.write(`no dead letter ${args[0]}\n`);
          return 1;
        }
        out(JSON.stringify(dead, null, 2));
        return 0;
      }
      case 'history': {
        for (const a of await recentActions(db, limit)) {
          out(
            [a.createdAt.toISOString(), a.action, a.streamSeq, a.subject, a.actor, a.msgId ?? '', a.reason].join('\t'),
          );
        }
        return 0;
      }
      case 'replay':
      case 'discard': {
        const seqs = values.all
          ? (await bus.deadLetters.list({ subject })).map((d) => d.seq)
          : args.map(Number).filter((n) => Number.isInteger(n) && n > 0);
        if (seqs.length === 0) {
          process.stderr.write(values.all ? 'no dead letters\n' : `usage: pnpm pulse dlq ${command} SEQ... | --all\n`);
          return values.all ? 0 : 2;
        }
        const dryRun = Boolean(values['dry-run']);
        if (seqs.length > 1 && !dryRun && !values.yes && !(await confirm(`${command} ${seqs.length} dead letters?`))) {
          process.stderr.write('not confirmed (pass --yes to skip the question)\n');
          return 1;
        }
        let failures = 0;
        for (const seq of seqs) {
          try {
            if (command === 'replay') {
              const plan = await replayDeadLetter(deps, seq, { actor, dryRun });
              out(
                `${dryRun ? 'would replay' : 'replayed'}\t${seq}\t${plan.subject}\t${short(plan.payload)}\tmsg-id ${plan.msgId}`,
              );
            } else {
              const done = await discardDeadLetter(deps, seq, { actor, dryRun });
              out(`${dryRun ? 'would discard' : 'discarded'}\t${seq}\t${done.subject}`);
            }
          } catch (err) {
            if (!(err instanceof DeadLetterError)) throw err;
            failures++;
            process.stderr.write(`${seq}: ${err.message}\n`);
          }
        }
        if (command === 'replay' && !dryRun) {
          // Publish the replayed messages now rather than at the next pass of a service's relay.
          const relay = startOutboxRelay({ db, publish: dynamicPublisher(bus), logger, intervalMs: 60_000 });
          await relay.flush();
          await relay.stop();
        }
        return failures ? 1 : 0;
      }
      default:
        process.stderr.write(HELP);
        return 2;
    }
  } finally {
    await bus.close();
    await db.close();
  }
}
