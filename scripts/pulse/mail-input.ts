// What the mailbox commands (unsubscribe-mail, bounce-mail) share: they are mail filters an MTA pipes
// one message into, and answer with sysexits codes the MTA understands.

/** The database was unreachable: the MTA keeps the message and delivers it to the command again later. */
export const EX_TEMPFAIL = 75;

/** The message is handled (whatever the outcome): one line `outcome: detail` for the MTA's log, exit 0. */
export function answer(outcome: string, detail: string): number {
  process.stdout.write(`${outcome}: ${detail}\n`);
  return 0;
}

/**
 * The message on stdin, at most `maxBytes` of it (what the command needs comes first). The rest is read
 * and dropped rather than left unread: an MTA whose pipe is closed early counts the delivery as failed.
 */
export async function readMessage(maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const room = maxBytes - size;
    if (room <= 0) continue;
    const part = (chunk as Buffer).subarray(0, room);
    chunks.push(part);
    size += part.length;
  }
  return Buffer.concat(chunks);
}
