import { Writable } from 'node:stream';

/** A pino destination that keeps every line, so tests can assert on events and scan for secrets. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line);
    cb();
  }
  events(name: string): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.event === name);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}
