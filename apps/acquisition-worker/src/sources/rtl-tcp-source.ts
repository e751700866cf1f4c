import { connect } from 'node:net';
import { CaptureSession, ReceiverFailure, type SessionLimits, samplesFor } from './capture-session';
import type { AcquireRequest, Capture, ReceiverSource } from './receiver-source';

// rtl_tcp's protocol (librtlsdr rtl_tcp.c): the server greets with 12 bytes, "RTL0" then the tuner
// type and its gain count as big-endian uint32; the client sends 5-byte commands (a command byte and a
// big-endian uint32); the server streams interleaved unsigned 8-bit I/Q.
const MAGIC = 'RTL0';
const GREETING = 12;
export const RTL_COMMAND = { frequency: 0x01, sampleRate: 0x02, gainMode: 0x03, gain: 0x04 } as const;

const TUNERS = ['unknown', 'E4000', 'FC0012', 'FC0013', 'FC2580', 'R820T', 'R828D'];

export function rtlCommand(cmd: number, param: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = cmd;
  b.writeUInt32BE(param >>> 0, 1);
  return b;
}

/** u8 → float: 0 and 255 map to about ±1, 127.5 (never sent) to 0, as GNU Radio's osmosdr source does. */
const LEVELS = Float32Array.from({ length: 256 }, (_, x) => (x - 127.5) / 127.5);

export function rtlTcpSource(limits: SessionLimits): ReceiverSource {
  return {
    name: 'rtl_tcp',
    acquire(req: AcquireRequest): Promise<Capture> {
      if (!req.address) throw new ReceiverFailure('rtl_tcp receiver without an address');
      const socket = connect({ host: req.address.host, port: req.address.port });
      const session = new CaptureSession(limits, req.signal, () => socket.destroy());
      let greeting: Buffer | null = Buffer.alloc(0);
      let carry = -1; // an I byte whose Q byte is still in flight
      const reported: Record<string, unknown> = {};

      socket.on('data', (chunk: Buffer) => {
        if (!session.active) return;
        let data = chunk;
        if (greeting) {
          greeting = Buffer.concat([greeting, data]);
          if (greeting.length < GREETING) return;
          if (greeting.toString('latin1', 0, 4) !== MAGIC)
            return session.fail('not an rtl_tcp server (no RTL0 greeting)');
          const tuner = greeting.readUInt32BE(4);
          reported.tuner_type = TUNERS[tuner] ?? `type ${tuner}`;
          reported.tuner_gain_count = greeting.readUInt32BE(8);
          data = greeting.subarray(GREETING);
          greeting = null;
          // Rate first, then frequency, then automatic gain: the order rtl_tcp clients such as gqrx use.
          socket.write(
            Buffer.concat([
              rtlCommand(RTL_COMMAND.sampleRate, req.sampleRate),
              rtlCommand(RTL_COMMAND.frequency, req.frequencyHz),
              rtlCommand(RTL_COMMAND.gainMode, 0),
            ]),
          );
          session.begin(samplesFor(req.durationMs, req.sampleRate));
        }
        if (data.length === 0) return;
        let offset = 0;
        if (carry >= 0) {
          const i = carry;
          const q = data[0]!;
          session.write(1, (out, at) => {
            out[at] = LEVELS[i]!;
            out[at + 1] = LEVELS[q]!;
          });
          carry = -1;
          offset = 1;
        }
        const pairs = (data.length - offset) >> 1;
        session.write(pairs, (out, at, n) => {
          for (let k = 0; k < 2 * n; k++) out[at + k] = LEVELS[data[offset + k]!]!;
        });
        if ((data.length - offset) % 2 === 1) carry = data[data.length - 1]!;
      });
      socket.on('error', (err: NodeJS.ErrnoException) => session.fail(`connection failed: ${err.code ?? err.message}`));
      socket.on('close', () => session.closed('the receiver closed the connection'));

      return session.done.then(() => {
        const { samples, captureMs } = session.result();
        return {
          samples,
          sampleRate: req.sampleRate,
          startedAt: session.startedAt,
          endedAt: new Date(),
          setupMs: session.setupMs,
          captureMs,
          reported,
        };
      });
    },
  };
}
