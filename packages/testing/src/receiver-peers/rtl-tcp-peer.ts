import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { type Tone, toneSample } from './tone';

/**
 * A test peer that speaks rtl_tcp byte for byte (librtlsdr's rtl_tcp.c): the 12-byte RTL0 greeting,
 * 5-byte big-endian commands, then unsigned 8-bit interleaved I/Q at the commanded rate, paced in real
 * time, carrying a known tone. `behaviour` produces the failures a real server shows.
 */
export interface RtlTcpPeerOptions {
  tone: Tone;
  /** Rates above this are refused by closing the connection (a real dongle cannot do them). */
  maxRate?: number;
  behaviour?: 'ok' | 'stall' | 'drop' | 'not-rtl';
}

export interface RtlTcpPeer {
  port: number;
  /** Every command received, in order: [command byte, parameter]. */
  commands: [number, number][];
  /** Connections still open (a cancelled capture must leave none). */
  openConnections(): number;
  close(): Promise<void>;
}

const TICK_MS = 10;

export async function startRtlTcpPeer(options: RtlTcpPeerOptions): Promise<RtlTcpPeer> {
  const commands: [number, number][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const greeting = Buffer.alloc(12);
    greeting.write(options.behaviour === 'not-rtl' ? 'HTTP' : 'RTL0', 0, 'latin1');
    greeting.writeUInt32BE(5, 4); // R820T
    greeting.writeUInt32BE(29, 8); // its gain steps
    socket.write(greeting);
    let pending = Buffer.alloc(0);
    let rate = 0;
    let frequency = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('close', () => clearInterval(timer));
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const cmd = pending[0]!;
        const param = pending.readUInt32BE(1);
        commands.push([cmd, param]);
        pending = pending.subarray(5);
        if (cmd === 0x02) rate = param;
        if (cmd === 0x01) frequency = param;
      }
      if (timer || rate === 0 || frequency === 0) return;
      if (options.maxRate && rate > options.maxRate) return socket.destroy();
      const started = performance.now();
      let sent = 0;
      timer = setInterval(() => {
        const elapsed = performance.now() - started;
        if (options.behaviour === 'stall' && elapsed > 100) return;
        if (options.behaviour === 'drop' && elapsed > 200) return socket.destroy();
        const due = Math.floor((elapsed / 1000) * rate) - sent;
        if (due <= 0) return;
        const out = Buffer.alloc(due * 2);
        for (let k = 0; k < due; k++) {
          const [i, q] = toneSample(options.tone, rate, sent + k);
          out[2 * k] = Math.max(0, Math.min(255, Math.round(127.5 + i * 127.5)));
          out[2 * k + 1] = Math.max(0, Math.min(255, Math.round(127.5 + q * 127.5)));
        }
        sent += due;
        socket.write(out);
      }, TICK_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    commands,
    openConnections: () => sockets.size,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
